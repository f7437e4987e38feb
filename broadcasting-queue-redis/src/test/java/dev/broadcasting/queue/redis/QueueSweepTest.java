package dev.broadcasting.queue.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.broadcasting.Broadcaster;
import dev.broadcasting.Channel;
import dev.broadcasting.spi.BroadcastDriver;
import dev.broadcasting.spi.BroadcastMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The worker's safety-net sweep (its own pending entries, every {@code claimIdle}) runs while
 * acknowledgements are on their way: an entry acknowledged between the sweep's read and its
 * check must not be sent again.
 */
class QueueSweepTest {
  private static RedisNode redis;

  @BeforeAll
  static void start() throws Exception {
    redis = RedisNode.start();
  }

  @AfterAll
  static void stop() throws Exception {
    redis.close();
  }

  /** Counts what it is handed, by message id. */
  static final class CountingDriver implements BroadcastDriver {
    final Map<String, AtomicInteger> sends = new ConcurrentHashMap<>();

    @Override
    public CompletableFuture<Void> publish(BroadcastMessage message) {
      sends.computeIfAbsent(message.id(), id -> new AtomicInteger()).incrementAndGet();
      return CompletableFuture.completedFuture(null);
    }
  }

  @Test
  void aSweepRunningWhileAcknowledgementsAreOnTheirWaySendsNothingTwice() throws Exception {
    CountingDriver driver = new CountingDriver();
    int total = 3_000;
    try (RedisStreamQueue queue = RedisStreamQueue.builder().uri(redis.uri()).prefix("sweep").partitions(2)
            .leaseTtl(Duration.ofSeconds(1)).claimIdle(Duration.ofMillis(5)).build();
        Broadcaster broadcaster = Broadcaster.builder().connection("count", driver).queue(queue).build()) {
      List<CompletableFuture<Void>> sent = new ArrayList<>();
      for (int n = 0; n < total; n++) {
        sent.add(broadcaster.on(new Channel("c" + n % 8)).as("E").with(Map.of("n", n)).send());
      }
      CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
    }
    assertThat(driver.sends).hasSize(total);
    assertThat(driver.sends.entrySet()).filteredOn(e -> e.getValue().get() != 1).as("sent more than once").isEmpty();
  }
}
