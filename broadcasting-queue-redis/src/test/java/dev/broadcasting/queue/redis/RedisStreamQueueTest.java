package dev.broadcasting.queue.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.broadcasting.BroadcastException;
import dev.broadcasting.BroadcastListener;
import dev.broadcasting.Broadcaster;
import dev.broadcasting.Channel;
import dev.broadcasting.FailedBroadcast;
import dev.broadcasting.QueueStats;
import dev.broadcasting.Scheduler;
import dev.broadcasting.ShouldBroadcast;
import dev.broadcasting.spi.BroadcastDriver;
import dev.broadcasting.spi.BroadcastMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class RedisStreamQueueTest {
  private static RedisNode redis;

  @BeforeAll
  static void start() throws Exception {
    redis = RedisNode.start();
  }

  @AfterAll
  static void stop() throws Exception {
    redis.close();
  }

  record Numbered(int n) implements ShouldBroadcast {
    @Override
    public List<? extends Channel> broadcastOn() {
      return List.of(new Channel("c"));
    }
  }

  @Test
  void aBatchWrittenInOneCallStoresWhatFitsAndRefusesTheRestSayingHowManyWereStored() throws Exception {
    List<FailedBroadcast> refused = new CopyOnWriteArrayList<>();
    try (RedisStreamQueue queue = RedisStreamQueue.builder().uri(redis.uri()).prefix("batch").partitions(1)
            .maxLength(3).workers(false).build();
        Broadcaster broadcaster = Broadcaster.builder().connection("log", "log", Map.of()).queue(queue)
            .onFailure(refused::add).build()) {
      CompletableFuture<Void> all = broadcaster.broadcastAll(List.of(new Numbered(0), new Numbered(1),
          new Numbered(2), new Numbered(3), new Numbered(4)));

      assertThat(all).isCompletedExceptionally();
      assertThat(refused).hasSize(5).allSatisfy(failed -> assertThat(failed.cause()).hasMessageContaining(
          "holds 3 undelivered events (its maxLength)").hasMessageEndingWith(
          "(3 of the batch's 5 events were stored and will be delivered)"));
      assertThat(queue.stats().depth()).as("the first three, in one script call with the two refused").isEqualTo(3);
    }
  }

  @Test
  void theStatsCallbackSeesDepthAndLagOncePerIntervalAndKeepsGoingWhenItThrows() throws Exception {
    List<Runnable> due = new CopyOnWriteArrayList<>();
    List<Duration> delays = new CopyOnWriteArrayList<>();
    List<CompletableFuture<?>> scheduled = new CopyOnWriteArrayList<>();
    Scheduler scheduler = (task, delay) -> {
      due.add(task);
      delays.add(delay);
      CompletableFuture<?> handle = new CompletableFuture<>();
      scheduled.add(handle);
      return handle;
    };
    List<QueueStats> seen = new CopyOnWriteArrayList<>();
    RedisStreamQueue queue = RedisStreamQueue.builder().uri(redis.uri()).prefix("stats").workers(false)
        .scheduler(scheduler).onStats(Duration.ofSeconds(2), stats -> {
          seen.add(stats);
          throw new IllegalStateException("a gauge that throws");
        }).build();
    try (Broadcaster broadcaster = Broadcaster.builder().connection("log", "log", Map.of()).queue(queue).build()) {
      assertThat(due).hasSize(1);
      assertThat(seen).isEmpty();
      for (int n = 0; n < 5; n++) {
        assertThat(broadcaster.on(new Channel("c" + n)).as("E").with(Map.of("n", n)).send()).isNotDone();
      }

      due.remove(0).run();
      assertThat(seen).singleElement().satisfies(stats -> {
        assertThat(stats.depth()).isEqualTo(5);
        assertThat(stats.inHand()).isZero();
        assertThat(stats.lag()).isBetween(Duration.ZERO, Duration.ofSeconds(30));
      });
      assertThat(due).as("the next report, though the callback threw").hasSize(1);
      due.remove(0).run();
      assertThat(seen).hasSize(2);
      assertThat(delays).containsExactly(Duration.ofSeconds(2), Duration.ofSeconds(2), Duration.ofSeconds(2));
    }
    assertThat(scheduled.get(scheduled.size() - 1)).as("the next report after close").isCancelled();
  }

  @Test
  void theBroadcastersListenersSeeDepthAndLagAtTheQueuesIntervalWithoutPolling() throws Exception {
    List<Runnable> due = new CopyOnWriteArrayList<>();
    List<Duration> delays = new CopyOnWriteArrayList<>();
    Scheduler scheduler = (task, delay) -> {
      due.add(task);
      delays.add(delay);
      return new CompletableFuture<>();
    };
    List<QueueStats> heard = new CopyOnWriteArrayList<>();
    List<QueueStats> alsoHeard = new CopyOnWriteArrayList<>();
    BroadcastListener listener = new BroadcastListener() {
      @Override
      public void onQueueStats(QueueStats stats) {
        heard.add(stats);
        throw new IllegalStateException("a listener that throws");
      }
    };
    RedisStreamQueue queue = RedisStreamQueue.builder().uri(redis.uri()).prefix("listened").workers(false)
        .statsEvery(Duration.ofSeconds(3)).scheduler(scheduler).build();
    assertThat(due).as("nothing is read before anyone listens").isEmpty();
    try (Broadcaster broadcaster = Broadcaster.builder().connection("log", "log", Map.of()).queue(queue)
        .listener(listener).listener(new BroadcastListener() {
          @Override
          public void onQueueStats(QueueStats stats) {
            alsoHeard.add(stats);
          }
        }).build()) {
      assertThat(due).hasSize(1);
      for (int n = 0; n < 4; n++) {
        assertThat(broadcaster.on(new Channel("c" + n)).as("E").with(Map.of("n", n)).send()).isNotDone();
      }
      Thread.sleep(20); // lets the oldest entry age, so that the lag below is measurably above zero

      due.remove(0).run();
      assertThat(heard).singleElement().satisfies(stats -> {
        assertThat(stats.depth()).isEqualTo(4);
        assertThat(stats.inHand()).isZero();
        assertThat(stats.lag()).isBetween(Duration.ofMillis(20), Duration.ofSeconds(30));
        assertThat(stats.workers()).isZero();
      });
      assertThat(alsoHeard).as("the next listener, though the first threw").containsExactlyElementsOf(heard);
      due.remove(0).run();
      assertThat(heard).hasSize(2);
      assertThat(delays).containsExactly(Duration.ofSeconds(3), Duration.ofSeconds(3), Duration.ofSeconds(3));
    }
  }

  @Test
  void withoutListenersAndWithoutCallbackTheQueueReadsNoStats() throws Exception {
    List<Runnable> due = new CopyOnWriteArrayList<>();
    try (RedisStreamQueue queue = RedisStreamQueue.builder().uri(redis.uri()).prefix("unheard").workers(false)
            .scheduler((task, delay) -> {
              due.add(task);
              return new CompletableFuture<>();
            }).build();
        Broadcaster broadcaster = Broadcaster.builder().connection("log", "log", Map.of()).queue(queue).build()) {
      assertThat(broadcaster.on(new Channel("c")).as("E").with(Map.of()).send()).isNotDone();
      assertThat(due).isEmpty();
    }
  }

  /**
   * A producer and a worker as two processes (two queues, two producer ids): the worker tells the
   * producer in the same script that acknowledges a batch, one notice of many lines, not a PUBLISH
   * per event.
   */
  @Test
  void aWorkerInAnotherProcessTellsTheProducerABatchOfOutcomesInOneNotice() throws Exception {
    int total = 60;
    try (RedisStreamQueue producerQueue = RedisStreamQueue.builder().uri(redis.uri()).prefix("told").workers(false)
            .build();
        Broadcaster producer = Broadcaster.builder().connection("none", "null", Map.of()).queue(producerQueue)
            .build()) {
      List<CompletableFuture<Void>> outcomes = new java.util.ArrayList<>();
      for (int n = 0; n < total; n++) {
        outcomes.add(producer.on(new Channel("c" + n % 5)).as("E").with(Map.of("n", n)).send());
      }
      io.lettuce.core.RedisClient admin = io.lettuce.core.RedisClient.create(redis.uri());
      try (var connection = admin.connect()) {
        connection.sync().configResetstat();
        try (RedisStreamQueue workerQueue = RedisStreamQueue.builder().uri(redis.uri()).prefix("told").build();
            Broadcaster worker = Broadcaster.builder().connection("none", "null", Map.of()).queue(workerQueue)
                .build()) {
          CompletableFuture.allOf(outcomes.toArray(CompletableFuture[]::new)).get(30, java.util.concurrent.TimeUnit.SECONDS);
        }
        String stats = connection.sync().info("commandstats");
        long publishes = stats.lines().filter(line -> line.startsWith("cmdstat_publish:"))
            .mapToLong(line -> Long.parseLong(line.replaceAll("^cmdstat_publish:calls=(\\d+),.*", "$1"))).sum();
        // one notice per settled batch: how the 60 fall into batches depends on the machine's load
        // (32 notices were seen on a loaded one); one notice per outcome would be 60
        assertThat(publishes).as("notices for %d outcomes", total).isBetween(1L, (long) total - 1);
      } finally {
        admin.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      }
      assertThat(outcomes).allMatch(future -> future.isDone() && !future.isCompletedExceptionally());
    }
  }

  @Test
  void statsMoreOftenThanTenTimesASecondAreRefused() {
    assertThatThrownBy(() -> RedisStreamQueue.builder().onStats(Duration.ofMillis(10), stats -> {}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("every must be at least 100ms (each report reads every partition) but was PT0.01S");
  }

  @Test
  void aFullPartitionRefusesTheBroadcastAndReportsItNeverTrimmingWhatWaits() throws Exception {
    List<FailedBroadcast> refused = new CopyOnWriteArrayList<>();
    try (RedisStreamQueue queue = RedisStreamQueue.builder().uri(redis.uri()).prefix("full").partitions(1)
            .maxLength(3).workers(false).build();
        Broadcaster broadcaster = Broadcaster.builder().connection("log", "log", Map.of()).queue(queue)
            .onFailure(refused::add).build()) {
      for (int n = 0; n < 3; n++) {
        assertThat(broadcaster.on(new Channel("c")).as("E").with(Map.of("n", n)).send()).isNotDone();
      }
      CompletableFuture<Void> fourth = broadcaster.on(new Channel("c")).as("E").with(Map.of("n", 3)).send();

      assertThat(fourth).isCompletedExceptionally();
      assertThat(refused).singleElement().satisfies(failed -> {
        assertThat(failed.attempts()).isZero();
        assertThat(failed.cause()).hasMessageContaining("was not queued: the durable queue's partition 0 holds 3 "
            + "undelivered events (its maxLength): the workers are behind or none runs. Start workers, or raise "
            + "maxLength (BROADCAST_QUEUE_MAX_LENGTH)");
      });
      Thread.sleep(30); // lets the oldest entry age, so that the lag below is measurably above zero
      QueueStats stats = queue.stats();
      assertThat(stats.depth()).isEqualTo(3);
      assertThat(stats.inHand()).isZero();
      assertThat(stats.lag()).isGreaterThanOrEqualTo(Duration.ofMillis(30));
      assertThat(stats.workers()).isZero();
    }
  }

  @Test
  void aShouldBroadcastNowEventSkipsTheQueue() throws Exception {
    try (RedisStreamQueue queue = RedisStreamQueue.builder().uri(redis.uri()).prefix("now").workers(false).build();
        Broadcaster broadcaster = Broadcaster.builder().connection("log", "log", Map.of()).queue(queue).build()) {
      assertThat(broadcaster.on(new Channel("c")).as("E").with(Map.of()).sendNow()).isCompleted();
      assertThat(queue.stats().depth()).isZero();
    }
  }

  @Test
  void aWorkerInTheSameProcessTakesEveryPartitionAndCompletesTheProducersFuture() throws Exception {
    try (RedisStreamQueue queue = RedisStreamQueue.builder().uri(redis.uri()).prefix("local").partitions(4)
            .leaseTtl(Duration.ofSeconds(1)).build();
        Broadcaster broadcaster = Broadcaster.builder().connection("log", "log", Map.of()).queue(queue).build()) {
      broadcaster.on(new Channel("c")).as("E").with(Map.of()).send().get();
      assertThat(queue.ownedPartitions()).containsExactly(0, 1, 2, 3);
      assertThat(QueueCrashIT.awaitEmpty(queue).workers()).isEqualTo(1);
    }
  }

  @Test
  void settingsAreCheckedAtOnceWithTheirNames() {
    assertThatThrownBy(() -> RedisStreamQueue.builder().partitions(0))
        .hasMessage("partitions must be between 1 and 1024 but was 0");
    assertThatThrownBy(() -> RedisStreamQueue.builder().leaseTtl(Duration.ZERO))
        .hasMessage("leaseTtl must be positive but was PT0S");
    assertThatThrownBy(() -> RedisStreamQueue.builder().leaseTtl(Duration.ofSeconds(1)).claimIdle(Duration.ofSeconds(2))
        .build()).hasMessage("claimIdle (PT2S) must not be longer than leaseTtl (PT1S): a new owner would wait for "
            + "entries it may already claim");
    assertThatThrownBy(() -> RedisStreamQueue.builder().uri("http://x")).hasMessageStartingWith("uri is not a Redis URI");
  }

  @Test
  void theEnvironmentChoosesTheQueueByNameAndItsSettingsAreChecked() {
    assertThatThrownBy(() -> Broadcaster.fromMap(Map.of("BROADCAST_CONNECTION", "log", "BROADCAST_QUEUE", "sqs")))
        .isInstanceOf(BroadcastException.class)
        .hasMessage("BROADCAST_QUEUE is 'sqs', but the queues found are [redis] besides 'memory'. Add the queue's "
            + "Maven dependency (dev.broadcasting:broadcasting-queue-sqs) or fix the name.");
    assertThatThrownBy(() -> Broadcaster.fromMap(Map.of("BROADCAST_CONNECTION", "log", "BROADCAST_QUEUE", "redis",
        "BROADCAST_QUEUE_REDIS_URL", redis.uri(), "BROADCAST_QUEUE_PARTITIONS", "0")))
        .hasMessage("The durable queue's settings are invalid: partitions must be between 1 and 1024 but was 0");
    assertThatThrownBy(() -> Broadcaster.fromMap(Map.of("BROADCAST_CONNECTION", "log", "BROADCAST_QUEUE", "redis",
        "BROADCAST_QUEUE_REDIS_URL", "redis://:hunter2@127.0.0.1:1")))
        .hasMessageStartingWith("Cannot connect the durable queue to Redis at redis://127.0.0.1:1")
        .hasMessageNotContaining("hunter2");
  }

  @Test
  void fromTheEnvironmentTheQueueReadsItsOwnUrl() throws Exception {
    try (Broadcaster broadcaster = Broadcaster.fromMap(Map.of("BROADCAST_CONNECTION", "log", "BROADCAST_QUEUE", "redis",
        "BROADCAST_QUEUE_REDIS_URL", redis.uri(), "BROADCAST_QUEUE_PREFIX", "env", "BROADCAST_QUEUE_WORKERS", "false"));
        RedisStreamQueue observer = RedisStreamQueue.builder().uri(redis.uri()).prefix("env").workers(false).build()) {
      broadcaster.on(new Channel("c")).as("E").with(Map.of()).send();
      assertThat(observer.stats().depth()).isEqualTo(1);
    }
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

  /**
   * The worker's safety-net sweep (its own pending entries, every {@code claimIdle}) runs while
   * acknowledgements are on their way: an entry acknowledged between the sweep's read and its
   * check must not be sent again.
   */
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
