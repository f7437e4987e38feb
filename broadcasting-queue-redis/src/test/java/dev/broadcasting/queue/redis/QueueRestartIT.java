package dev.broadcasting.queue.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.broadcasting.Broadcaster;
import dev.broadcasting.Channel;
import io.lettuce.core.RedisClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The queue's redis-server killed (SIGKILL) in the middle of the stream and started again on its
 * append-only file: every event whose {@code broadcast()} was accepted is delivered. A broadcast
 * refused while the server was down failed at once, as the application saw, and is sent again by
 * it, as an application would. Among the first arrivals, each channel's events came in the order
 * they were broadcast.
 */
@Tag("integration")
class QueueRestartIT {

  @Test
  void nothingAcceptedIsLostNorReorderedWhenTheQueuesRedisRestartsFromItsAppendOnlyFile() throws Exception {
    int total = 5_000;
    AtomicInteger refused = new AtomicInteger();
    try (RedisNode queue = RedisNode.start("--appendonly", "yes", "--appendfsync", "always");
        RedisNode delivery = RedisNode.start(); Received received = new Received(delivery.uri());
        RedisStreamQueue durable = RedisStreamQueue.builder().uri(queue.uri()).leaseTtl(Duration.ofSeconds(1))
            .commandTimeout(Duration.ofSeconds(1)).build();
        Broadcaster broadcaster = Broadcaster.builder()
            .connection("redis", "redis", Map.of("REDIS_URL", delivery.uri())).queue(durable).build()) {
      CompletableFuture<Void> producing = CompletableFuture.runAsync(() -> {
        for (int n = 0; n < total; n++) {
          while (broadcaster.on(new Channel("orders." + n % 6)).as("Seq").with(Map.of("n", n)).send()
              .isCompletedExceptionally()) {
            refused.incrementAndGet();
            pause();
          }
        }
      });
      received.awaitCount(1_000, Duration.ofSeconds(60));
      queue.kill();
      int beforeRestart = received.count();
      queue.launch();

      producing.get();
      List<Received.Message> messages = received.awaitAll(total, Duration.ofSeconds(90));
      assertThat(beforeRestart).as("the server died mid-stream").isLessThan(total);
      assertThat(received.missing(total)).as("events never delivered").isEmpty();
      QueueCrashIT.assertOrderedPerChannel(messages);
      assertThat(QueueCrashIT.awaitEmpty(durable).depth()).isZero();
      System.out.printf("redis killed after %d of %d deliveries; %d broadcasts refused while it was down%n",
          beforeRestart, total, refused.get());
    }
  }

  /**
   * A producer in one broadcaster and a worker in another (two producer ids, as two processes):
   * the queue's Redis restarts requiring a password only the worker has, so the worker settles
   * every event and announces it while the producer cannot subscribe. Once the producer gets back
   * in, its futures complete from its outcomes stream, each as delivered.
   */
  @Test
  void outcomesAnnouncedWhileTheProducerWasDisconnectedStillCompleteItsFutures() throws Exception {
    int total = 500;
    try (RedisNode queue = RedisNode.start("--appendonly", "yes", "--appendfsync", "always");
        RedisNode delivery = RedisNode.start(); Received received = new Received(delivery.uri());
        RedisStreamQueue producerQueue = RedisStreamQueue.builder().uri(queue.uri()).workers(false)
            .leaseTtl(Duration.ofSeconds(1)).commandTimeout(Duration.ofSeconds(1)).build();
        Broadcaster producer = Broadcaster.builder()
            .connection("redis", "redis", Map.of("REDIS_URL", delivery.uri())).queue(producerQueue).build()) {
      List<CompletableFuture<Void>> outcomes = new ArrayList<>();
      for (int n = 0; n < total; n++) {
        outcomes.add(producer.on(new Channel("orders." + n % 6)).as("Seq").with(Map.of("n", n)).send());
      }
      assertThat(outcomes).noneMatch(CompletableFuture::isCompletedExceptionally);
      queue.kill();
      queue.launch("--requirepass", "only-the-worker-knows");
      String workerUri = "redis://:only-the-worker-knows@127.0.0.1:" + queue.port();
      try (RedisStreamQueue workerQueue = RedisStreamQueue.builder().uri(workerUri).leaseTtl(Duration.ofSeconds(1))
              .build();
          Broadcaster worker = Broadcaster.builder()
              .connection("redis", "redis", Map.of("REDIS_URL", delivery.uri())).queue(workerQueue).build()) {
        received.awaitAll(total, Duration.ofSeconds(60));
        assertThat(received.missing(total)).as("events never delivered").isEmpty();
        assertThat(QueueCrashIT.awaitEmpty(workerQueue).depth()).as("every event settled").isZero();
        assertThat(outcomes).as("the producer cannot reach Redis: no outcome reached it").noneMatch(
            CompletableFuture::isDone);

        RedisClient admin = RedisClient.create(workerUri);
        try (var connection = admin.connect()) {
          connection.sync().configSet("requirepass", "");
        } finally {
          admin.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
        CompletableFuture.allOf(outcomes.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        assertThat(outcomes).allMatch(future -> future.isDone() && !future.isCompletedExceptionally());
      }
    }
  }

  private static void pause() {
    try {
      Thread.sleep(20);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
