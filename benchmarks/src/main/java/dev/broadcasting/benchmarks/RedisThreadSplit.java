package dev.broadcasting.benchmarks;

import dev.broadcasting.Broadcaster;
import dev.broadcasting.redis.RedisBroadcastDriver;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * Which thread spends the CPU of a redis event: the JVM's CPU per event and sleeps per event by
 * kind of thread ({@link ThreadCosts}: the caller, the dispatcher's threads, lettuce's event loop,
 * timers), for rounds of queued {@code broadcast()} on 1 and 10 channels and of
 * {@code broadcastNow} one at a time next to raw lettuce's synchronous {@code PUBLISH}, with
 * p50/p90/p99 for the latter two. Thread CPU is what a loaded machine disturbs least, where
 * events/s and latencies are the scheduler's. Each round runs twice in turn, through lettuce and
 * through the driver's own publish socket (its default, see broadcasting-redis's RESP-PUBLISH.md),
 * each on a broadcaster of its own.
 *
 * <pre>{@code java -cp benchmarks.jar dev.broadcasting.benchmarks.RedisThreadSplit [events] [rounds] [--socket]}</pre>
 *
 * <p>{@code --socket}: the queued rounds on the publish socket alone, no lettuce and no latency
 * rounds, to compare two builds of the socket's path in turns.
 */
public final class RedisThreadSplit {
  private RedisThreadSplit() {}

  public static void main(String[] args) throws Exception {
    int events = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    boolean socketOnly = List.of(args).contains("--socket");
    try (RedisProcess redis = RedisProcess.start()) {
      String uri = "redis://127.0.0.1:" + redis.port();
      RedisClient client = RedisClient.create(uri);
      try (Broadcaster broadcaster = Broadcaster.builder()
          .connection("redis", RedisBroadcastDriver.builder().uri(uri).publishSocket(false).build())
          .blockWhenFull(Duration.ofMinutes(1)).build();
          Broadcaster onSocket = Broadcaster.builder()
              .connection("redis", RedisBroadcastDriver.builder().uri(uri).publishSocket(true).build())
              .blockWhenFull(Duration.ofMinutes(1)).build();
          StatefulRedisConnection<byte[], byte[]> raw = client.connect(ByteArrayCodec.INSTANCE)) {
        for (int channels : new int[] {1, 10}) {
          GoalEvent[] goal = new GoalEvent[channels];
          java.util.Arrays.setAll(goal, GoalEvent::new);
          for (int round = 0; round < rounds; round++) {
            if (!socketOnly) {
              queuedRound("lettuce", broadcaster, goal, events);
            }
            queuedRound("socket", onSocket, goal, events);
          }
        }
        if (socketOnly) {
          return;
        }
        int calls = events / 10;
        byte[] channel = GoalEvent.channelName(42).getBytes(StandardCharsets.UTF_8);
        byte[] body = RedisBenchmark.nowWireBody();
        OrderShipped.Now now = OrderShipped.Now.sample();
        for (int round = 0; round < rounds; round++) {
          oneAtATime("broadcastNow", calls, () -> broadcaster.broadcast(now).join());
          oneAtATime("broadcastNow on the publish socket", calls, () -> onSocket.broadcast(now).join());
          oneAtATime("lettuce sync PUBLISH", calls, () -> raw.sync().publish(channel, body));
        }
      } finally {
        client.shutdown();
      }
    }
  }

  private static void queuedRound(String side, Broadcaster broadcaster, GoalEvent[] goal, int events) throws Exception {
    ThreadCosts before = ThreadCosts.now();
    long start = System.nanoTime();
    RedisFloor.queued(broadcaster, goal, events);
    long nanos = System.nanoTime() - start;
    ThreadCosts split = ThreadCosts.now().minus(before);
    long cpu = split.byGroup().values().stream().mapToLong(sums -> sums[0]).sum();
    System.out.printf(Locale.ROOT, "queued, %d ch, %s: %.0f events/s, all threads %.2f us CPU/event%n%s", goal.length,
        side, events * 1e9 / nanos, cpu / 1e3 / events, split.perEvent(events));
  }

  private static void oneAtATime(String name, int calls, Runnable call) throws IOException {
    ThreadCosts before = ThreadCosts.now();
    long[] nanos = new long[calls];
    for (int i = 0; i < calls; i++) {
      long start = System.nanoTime();
      call.run();
      nanos[i] = System.nanoTime() - start;
    }
    String split = ThreadCosts.now().minus(before).perEvent(calls);
    System.out.printf(Locale.ROOT, "%s: p50 %.1f p90 %.1f p99 %.1f us%n%s", name, RedisGoals.percentile(nanos, 50),
        RedisGoals.percentile(nanos, 90), RedisGoals.percentile(nanos, 99), split);
  }
}
