package dev.broadcasting.queue.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.broadcasting.Broadcaster;
import dev.broadcasting.Channel;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The queue's redis-server killed (SIGKILL) in the middle of the stream and started again on its
 * append-only file: every event whose {@code broadcast()} was accepted is delivered. A broadcast
 * refused while the server was down failed at once, as the application saw, and is sent again by
 * it, as an application would.
 */
@Tag("integration")
class QueueRestartIT {

  @Test
  void nothingAcceptedIsLostWhenTheQueuesRedisRestartsFromItsAppendOnlyFile() throws Exception {
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
      // Order is not asserted here: across a restart of the queue's Redis an event was seen, rarely,
      // arriving after later events of its channel (see the README's "Order"); the cause is open.
      assertThat(messages).hasSizeGreaterThanOrEqualTo(total);
      assertThat(QueueCrashIT.awaitEmpty(durable).depth()).isZero();
      System.out.printf("redis killed after %d of %d deliveries; %d broadcasts refused while it was down%n",
          beforeRestart, total, refused.get());
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
