package dev.broadcasting.benchmarks;

import dev.broadcasting.Broadcaster;
import dev.broadcasting.redis.RedisBroadcastDriver;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * Which thread spends the CPU of a redis event: the JVM's CPU per event split by thread (the
 * caller, the dispatcher's threads, lettuce's event loop, timers), rounds of queued
 * {@code broadcast()} on 1 and 10 channels and of {@code broadcastNow} one at a time next to raw
 * lettuce's synchronous {@code PUBLISH}, with p50/p90/p99 for the latter two. Thread CPU is what a
 * loaded machine disturbs least, where events/s and latencies are the scheduler's.
 *
 * <pre>{@code java -cp benchmarks.jar dev.broadcasting.benchmarks.RedisThreadSplit [events] [rounds]}</pre>
 */
public final class RedisThreadSplit {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private RedisThreadSplit() {}

  public static void main(String[] args) throws Exception {
    int events = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    try (RedisProcess redis = RedisProcess.start()) {
      String uri = "redis://127.0.0.1:" + redis.port();
      RedisClient client = RedisClient.create(uri);
      try (Broadcaster broadcaster = Broadcaster.builder()
          .connection("redis", RedisBroadcastDriver.builder().uri(uri).build())
          .blockWhenFull(Duration.ofMinutes(1)).build();
          StatefulRedisConnection<byte[], byte[]> raw = client.connect(ByteArrayCodec.INSTANCE)) {
        for (int channels : new int[] {1, 10}) {
          GoalEvent[] goal = new GoalEvent[channels];
          java.util.Arrays.setAll(goal, GoalEvent::new);
          for (int round = 0; round < rounds; round++) {
            Map<String, Long> before = cpuByThread();
            CompletableFuture<?> last = null;
            for (int i = 0; i < events; i++) {
              last = broadcaster.broadcast(goal[i % channels]);
            }
            last.join();
            while (broadcaster.queueDepth() > 0) {
              Thread.onSpinWait();
            }
            System.out.println("queued, " + channels + " ch:" + split(before, events));
          }
        }
        int calls = events / 10;
        byte[] channel = GoalEvent.channelName(42).getBytes(StandardCharsets.UTF_8);
        byte[] body = RedisBenchmark.nowWireBody();
        OrderShipped.Now now = OrderShipped.Now.sample();
        for (int round = 0; round < rounds; round++) {
          oneAtATime("broadcastNow", calls, () -> broadcaster.broadcast(now).join());
          oneAtATime("lettuce sync PUBLISH", calls, () -> raw.sync().publish(channel, body));
        }
      } finally {
        client.shutdown();
      }
    }
  }

  private static void oneAtATime(String name, int calls, Runnable call) {
    Map<String, Long> before = cpuByThread();
    long[] nanos = new long[calls];
    for (int i = 0; i < calls; i++) {
      long start = System.nanoTime();
      call.run();
      nanos[i] = System.nanoTime() - start;
    }
    String split = split(before, calls);
    System.out.printf(Locale.ROOT, "%s: p50 %.1f p90 %.1f p99 %.1f us;%s%n", name, RedisGoals.percentile(nanos, 50),
        RedisGoals.percentile(nanos, 90), RedisGoals.percentile(nanos, 99), split);
  }

  /** The JVM's CPU per event since {@code before}, in all and by thread (numbered threads summed by name). */
  private static String split(Map<String, Long> before, int events) {
    Map<String, Long> after = cpuByThread();
    Map<String, Long> used = new TreeMap<>();
    long total = 0;
    for (Map.Entry<String, Long> thread : after.entrySet()) {
      long nanos = thread.getValue() - before.getOrDefault(thread.getKey(), 0L);
      if (nanos > 0) {
        used.merge(thread.getKey().replaceAll("#\\d+$", "").replaceAll("-?\\d+$", ""), nanos, Long::sum);
        total += nanos;
      }
    }
    StringBuilder line = new StringBuilder(String.format(Locale.ROOT, " %.2f us CPU/event:", total / 1e3 / events));
    used.forEach((name, nanos) -> {
      if (nanos >= 50L * events) { // 0.05 us per event and more
        line.append(String.format(Locale.ROOT, " %s %.2f", name, nanos / 1e3 / events));
      }
    });
    return line.toString();
  }

  private static Map<String, Long> cpuByThread() {
    Map<String, Long> cpu = new HashMap<>();
    for (long id : THREADS.getAllThreadIds()) {
      ThreadInfo info = THREADS.getThreadInfo(id);
      long nanos = THREADS.getThreadCpuTime(id);
      if (info != null && nanos > 0) {
        cpu.put(info.getThreadName() + "#" + id, nanos);
      }
    }
    return cpu;
  }
}
