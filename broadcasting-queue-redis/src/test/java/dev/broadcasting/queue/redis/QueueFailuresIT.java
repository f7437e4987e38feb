package dev.broadcasting.queue.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.broadcasting.BroadcastEvent;
import dev.broadcasting.BroadcastListener;
import dev.broadcasting.Broadcaster;
import dev.broadcasting.Channel;
import dev.broadcasting.FailedBroadcast;
import dev.broadcasting.QueueStats;
import dev.broadcasting.RetryPolicy;
import io.lettuce.core.RedisClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The driver failing: for a while (the delivery server paused, so each publish times out and is
 * retried under the event's RetryPolicy while the event stays in the stream), and for good (the
 * driver's Redis user may not publish on the channel: NOPERM), when the event moves to the failed
 * stream, reaches the failure handler, and is retried or forgotten from there.
 */
@Tag("integration")
class QueueFailuresIT {

  /**
   * The outage here lasts 4 s against a policy whose deadline is 20 s: the same proportion as a
   * 30 s outage against the default policy's 2 minutes, at a pace a test can wait for.
   */
  @Test
  void eventsWaitInTheStreamThroughAnOutageAndAreThenDeliveredInOrder() throws Exception {
    int total = 200;
    AtomicInteger retries = new AtomicInteger();
    RetryPolicy policy = RetryPolicy.builder().maxAttempts(200).baseDelay(Duration.ofMillis(50))
        .maxDelay(Duration.ofMillis(400)).deadline(Duration.ofSeconds(20)).build();
    try (RedisNode queue = RedisNode.start(); RedisNode delivery = RedisNode.start();
        Received received = new Received(delivery.uri());
        RedisStreamQueue durable = RedisStreamQueue.builder().uri(queue.uri()).leaseTtl(Duration.ofSeconds(1)).build();
        Broadcaster broadcaster = Broadcaster.builder()
            .connection("redis", "redis", Map.of("REDIS_URL", delivery.uri(), "BROADCAST_REDIS_TIMEOUT", "200ms"))
            .retry(policy).queue(durable).listener(new BroadcastListener() {
              @Override
              public void onRetry(BroadcastEvent event, String connection, int attempt, Duration delay, Throwable c) {
                retries.incrementAndGet();
              }
            }).build()) {
      admin(delivery, "CLIENT", "PAUSE", "4000", "WRITE");
      long pausedAt = System.nanoTime();
      List<CompletableFuture<Void>> outcomes = new CopyOnWriteArrayList<>();
      for (int n = 0; n < total; n++) {
        outcomes.add(broadcaster.on(new Channel("orders." + n % 4)).as("Seq").with(Map.of("n", n)).send());
      }
      QueueStats during = durable.stats();
      assertThat(System.nanoTime() - pausedAt).as("still inside the outage").isLessThan(TimeUnit.SECONDS.toNanos(4));
      assertThat(during.depth()).as("every event waits in the stream, unacknowledged").isEqualTo(total);

      CompletableFuture.allOf(outcomes.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
      List<Received.Message> messages = received.awaitAll(total, Duration.ofSeconds(30));
      assertThat(received.missing(total)).isEmpty();
      QueueCrashIT.assertOrderedPerChannel(messages);
      assertThat(retries.get()).as("attempts that failed during the outage and were retried").isPositive();
      QueueStats after = QueueCrashIT.awaitEmpty(durable);
      assertThat(after.depth()).isZero();
      assertThat(after.failed()).isZero();
    }
  }

  @Test
  void anEventThatFailsForGoodGoesToTheFailedStreamAndIsRetriedFromIt() throws Exception {
    List<FailedBroadcast> reported = new CopyOnWriteArrayList<>();
    try (RedisNode queue = RedisNode.start(); RedisNode delivery = RedisNode.start();
        Received received = new Received(delivery.uri())) {
      admin(delivery, "ACL", "SETUSER", "app", "on", ">secret", "~*", "+@all", "resetchannels", "&orders.*");
      String appUri = "redis://app:secret@127.0.0.1:" + delivery.port();
      try (RedisStreamQueue durable = RedisStreamQueue.builder().uri(queue.uri()).leaseTtl(Duration.ofSeconds(1))
              .build();
          Broadcaster broadcaster = Broadcaster.builder().connection("redis", "redis", Map.of("REDIS_URL", appUri))
              .queue(durable).onFailure(reported::add).build()) {
        CompletableFuture<Void> blocked = broadcaster.on(new Channel("blocked")).as("Seq").with(Map.of("n", 0)).send();
        CompletableFuture<Void> allowed = broadcaster.on(new Channel("orders.1")).as("Seq").with(Map.of("n", 1)).send();
        allowed.get(30, TimeUnit.SECONDS);
        assertThat(blocked).failsWithin(Duration.ofSeconds(30)).withThrowableThat().withMessageContaining("NOPERM");
        assertThat(reported).singleElement().satisfies(failed -> {
          assertThat(failed.event().channels()).containsExactly(new Channel("blocked"));
          assertThat(failed.cause().getMessage()).contains("NOPERM");
        });

        FailedEvent first = awaitFailed(durable);
        assertThat(first.channels()).containsExactly("blocked");
        assertThat(first.reason()).contains("NOPERM");
        assertThat(first.payload()).isEqualTo("{\"n\":0}");
        assertThat(first.toString()).doesNotContain("{\"n\":0}");

        // retried while still forbidden: it fails again, with the same message id
        assertThat(durable.retryFailed(first.id())).isTrue();
        assertThat(durable.retryFailed(first.id())).as("already taken back").isFalse();
        FailedEvent again = awaitFailed(durable);
        assertThat(again.id()).isNotEqualTo(first.id());
        assertThat(again.messageId()).isEqualTo(first.messageId());

        admin(delivery, "ACL", "SETUSER", "app", "&blocked");
        assertThat(durable.retryAllFailed()).isEqualTo(1);
        received.awaitCount(2, Duration.ofSeconds(30));
        assertThat(received.settle(delivery.uri())).extracting(Received.Message::channel)
            .containsExactlyInAnyOrder("orders.1", "blocked");
        assertThat(QueueCrashIT.awaitEmpty(durable).failed()).isZero();
        assertThat(reported).hasSize(2);
      }
    }
  }

  @Test
  void failedEventsAreForgottenOneByOneOrAllAtOnce() throws Exception {
    try (RedisNode queue = RedisNode.start(); RedisNode delivery = RedisNode.start()) {
      admin(delivery, "ACL", "SETUSER", "app", "on", ">secret", "~*", "+@all", "resetchannels");
      try (RedisStreamQueue durable = RedisStreamQueue.builder().uri(queue.uri()).leaseTtl(Duration.ofSeconds(1))
              .build();
          Broadcaster broadcaster = Broadcaster.builder().connection("redis", "redis",
              Map.of("REDIS_URL", "redis://app:secret@127.0.0.1:" + delivery.port())).queue(durable).build()) {
        for (int n = 0; n < 3; n++) {
          broadcaster.on(new Channel("c" + n)).as("Seq").with(Map.of("n", n)).send().exceptionally(e -> null)
              .get(30, TimeUnit.SECONDS);
        }
        List<FailedEvent> failed = durable.listFailed(10);
        assertThat(failed).hasSize(3);
        assertThat(durable.forgetFailed(failed.get(0).id())).isTrue();
        assertThat(durable.forgetFailed(failed.get(0).id())).isFalse();
        assertThat(durable.listFailed(10)).extracting(FailedEvent::event).hasSize(2);
        assertThat(durable.flushFailed()).isEqualTo(2);
        assertThat(durable.stats().failed()).isZero();
      }
    }
  }

  private static FailedEvent awaitFailed(RedisStreamQueue queue) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    List<FailedEvent> failed = queue.listFailed(10);
    while (failed.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(20);
      failed = queue.listFailed(10);
    }
    assertThat(failed).hasSize(1);
    return failed.get(0);
  }

  static void admin(RedisNode node, String... command) {
    RedisClient client = RedisClient.create(node.uri());
    try (var connection = client.connect()) {
      var args = new io.lettuce.core.protocol.CommandArgs<>(io.lettuce.core.codec.StringCodec.UTF8);
      for (int i = 1; i < command.length; i++) {
        args.add(command[i]);
      }
      connection.sync().dispatch(io.lettuce.core.protocol.CommandType.valueOf(command[0]),
          new io.lettuce.core.output.StatusOutput<>(io.lettuce.core.codec.StringCodec.UTF8), args);
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }
}
