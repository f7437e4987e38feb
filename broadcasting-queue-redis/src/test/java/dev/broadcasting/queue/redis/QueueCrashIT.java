package dev.broadcasting.queue.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.broadcasting.Broadcaster;
import dev.broadcasting.Channel;
import dev.broadcasting.QueueStats;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Real processes killed with SIGKILL: a producer right after {@code broadcast()} returned, a
 * worker in the middle of the stream. Events go through a real redis-server (the queue) and the
 * real redis driver to a second one, where a real subscriber receives them.
 */
@Tag("integration")
class QueueCrashIT {

  static Map<String, String> env(RedisNode queue, RedisNode delivery) {
    Map<String, String> env = new HashMap<>();
    env.put("BROADCAST_CONNECTION", "redis");
    env.put("REDIS_URL", delivery.uri());
    env.put("BROADCAST_QUEUE", "redis");
    env.put("BROADCAST_QUEUE_REDIS_URL", queue.uri());
    env.put("BROADCAST_QUEUE_LEASE_TTL", "1s");
    return env;
  }

  static RedisStreamQueue observer(RedisNode queue) {
    return RedisStreamQueue.builder().uri(queue.uri()).workers(false).leaseTtl(Duration.ofSeconds(1)).build();
  }

  /** Polls the queue until it holds nothing: the workers acknowledged every event they sent. */
  static QueueStats awaitEmpty(RedisStreamQueue queue) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    QueueStats stats = queue.stats();
    while (stats.depth() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(20);
      stats = queue.stats();
    }
    return stats;
  }

  static void assertOrderedPerChannel(List<Received.Message> messages) {
    Received.firstArrivals(messages).forEach((channel, sequence) ->
        assertThat(sequence).as("first arrivals on %s", channel).isSorted());
  }

  @Test
  void everyEventAcceptedByAKilledProducerIsDeliveredOnceAWorkerRuns() throws Exception {
    int total = 1_000;
    try (RedisNode queue = RedisNode.start(); RedisNode delivery = RedisNode.start();
        Received received = new Received(delivery.uri()); RedisStreamQueue observer = observer(queue)) {
      Map<String, String> env = env(queue, delivery);
      Map<String, String> producerEnv = new HashMap<>(env);
      producerEnv.put("BROADCAST_QUEUE_WORKERS", "false");
      try (ChildJvm producer = ChildJvm.start(ProducerMain.class, producerEnv, Integer.toString(total), "5")) {
        producer.awaitLine("accepted " + total, Duration.ofSeconds(60));
        producer.kill();
      }
      assertThat(observer.stats().depth()).as("events waiting in the streams").isEqualTo(total);
      assertThat(received.count()).as("nothing runs a worker yet").isZero();

      try (ChildJvm worker = ChildJvm.start(QueueWorker.class, env)) {
        List<Received.Message> messages = received.awaitAll(total, Duration.ofSeconds(60));
        assertThat(received.missing(total)).as("events never delivered").isEmpty();
        assertOrderedPerChannel(messages);
        assertThat(awaitEmpty(observer).depth()).isZero();
        // no worker died, so nothing was sent twice: every event exactly once
        assertThat(received.settle(delivery.uri())).hasSize(total);
      }
    }
  }

  @Test
  void aKilledWorkersEventsAreSentByAnotherAndNoneIsLost() throws Exception {
    int total = 10_000;
    try (RedisNode queue = RedisNode.start(); RedisNode delivery = RedisNode.start();
        Received received = new Received(delivery.uri()); RedisStreamQueue producerQueue = observer(queue);
        Broadcaster producer = Broadcaster.builder().connection("redis", "redis", Map.of("REDIS_URL", delivery.uri()))
            .queue(producerQueue).build()) {
      for (int n = 0; n < total; n++) {
        assertThat(producer.on(new Channel("orders." + n % 8)).as("Seq").with(Map.of("n", n)).send())
            .isNotCompletedExceptionally();
      }
      Map<String, String> env = env(queue, delivery);
      try (ChildJvm first = ChildJvm.start(QueueWorker.class, env)) {
        received.awaitCount(1_000, Duration.ofSeconds(60));
        first.kill();
      }
      int beforeTakeover = received.count();
      assertThat(beforeTakeover).as("the worker was killed mid-stream").isBetween(1_000, total - 1);

      try (ChildJvm second = ChildJvm.start(QueueWorker.class, env)) {
        List<Received.Message> messages = received.awaitAll(total, Duration.ofSeconds(90));
        assertThat(received.missing(total)).as("events never delivered").isEmpty();
        assertOrderedPerChannel(messages);
        assertThat(awaitEmpty(producerQueue)).satisfies(stats -> {
          assertThat(stats.depth()).isZero();
          assertThat(stats.failed()).isZero();
        });
        int duplicates = received.settle(delivery.uri()).size() - total;
        System.out.printf("worker killed after %d of %d deliveries; %d sent twice%n", beforeTakeover, total,
            duplicates);
        // only what the killed worker held could be sent twice: at most its maxInHand (1,000)
        assertThat(duplicates).isBetween(0, 1_000);
      }
    }
  }
}
