package dev.broadcasting.benchmarks;

import dev.broadcasting.Channel;
import dev.broadcasting.server.App;
import dev.broadcasting.server.BroadcastServer;
import dev.broadcasting.server.redis.RedisBackplane;
import dev.broadcasting.spi.BroadcastDriver;
import dev.broadcasting.spi.BroadcastMessage;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The cost of recovery's history per event on {@code broadcasting-server}: an event published with
 * the in-process driver to a channel that keeps history (1,000 events) next to the same event to a
 * channel that does not, no subscribers (so the difference is the history alone). With
 * {@code store=memory} one server keeps history in its heap; with {@code store=redis} it is a node of
 * a cluster on a local redis-server and keeps history in Redis Streams (the plain event is then one
 * PUBLISH, the kept one one EVALSHA of {@code history.lua}). {@link #main} measures the heap one kept
 * event retains in memory, and the Redis memory one retains in Redis.
 *
 * <pre>{@code benchmarks/run.sh --short HistoryBenchmark
 * java -cp benchmarks/target/benchmarks.jar dev.broadcasting.benchmarks.HistoryBenchmark}</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class HistoryBenchmark {
  private static final String DATA = "{\"orderId\":\"ord-000042\",\"carrier\":\"UPS\",\"tracking\":\"1Z999AA10123456784\","
      + "\"items\":3,\"total\":12.5}";

  @Param({"memory", "redis"})
  public String store;

  private RedisProcess redis;
  private BroadcastServer server;
  private BroadcastDriver driver;
  private final BroadcastMessage withHistory = BroadcastMessage.of("OrderShipped", List.of(Channel.of("kept.1")), DATA);
  private final BroadcastMessage withoutHistory = BroadcastMessage.of("OrderShipped", List.of(Channel.of("plain.1")), DATA);

  @Setup
  public void start() throws Exception {
    if (store.equals("redis")) {
      redis = RedisProcess.start();
    }
    server = start(1000, 1, redis);
    driver = server.driver("1");
  }

  /** A server keeping history in memory, or a cluster node keeping it in {@code redis} when not null. */
  private static BroadcastServer start(int maxEvents, int maxChannels, RedisProcess redis) {
    BroadcastServer.Builder builder = BroadcastServer.builder().host("127.0.0.1").port(0)
        .app(App.builder("1", "key", "secret").history("kept.*", maxEvents, Duration.ofHours(1))
            .maxHistoryChannels(maxChannels).build());
    if (redis != null) {
      builder.backplane(RedisBackplane.builder("redis://127.0.0.1:" + redis.port()).build());
    }
    return builder.build().start();
  }

  @TearDown
  public void stop() {
    server.close();
    if (redis != null) {
      redis.close();
    }
  }

  @Benchmark
  public Object publishKeptInHistory() {
    return driver.publish(withHistory).join();
  }

  @Benchmark
  public Object publishWithoutHistory() {
    return driver.publish(withoutHistory).join();
  }

  /**
   * Heap retained per kept event: 100,000 events kept over 100 channels, after a full GC; then the
   * Redis memory ({@code used_memory}) the same events take in Redis Streams.
   */
  public static void main(String[] args) throws Exception {
    int events = 100_000;
    for (int round = 0; round < 3; round++) {
      BroadcastServer server = start(1000, 100, null);
      BroadcastDriver driver = server.driver("1");
      driver.publish(BroadcastMessage.of("OrderShipped", List.of(Channel.of("plain.1")), DATA)).join();
      long before = usedAfterGc();
      publishKept(driver, events);
      long after = usedAfterGc();
      if (round > 0) {
        System.out.printf(Locale.ROOT, "round %d: %d events kept over 100 channels: %.0f bytes each (message %d chars)%n",
            round, events, (after - before) / (double) events, DATA.length());
      }
      server.close();
    }
    try (RedisProcess redis = RedisProcess.start();
        RedisClient client = RedisClient.create("redis://127.0.0.1:" + redis.port());
        StatefulRedisConnection<String, String> stats = client.connect()) {
      BroadcastServer server = start(1000, 100, redis);
      BroadcastDriver driver = server.driver("1");
      driver.publish(BroadcastMessage.of("OrderShipped", List.of(Channel.of("kept.0")), DATA)).join();
      long before = usedMemory(stats.sync().info("memory"));
      publishKept(driver, events);
      long after = usedMemory(stats.sync().info("memory"));
      System.out.printf(Locale.ROOT, "redis: %d events kept over 100 channels in Redis Streams: %.0f bytes of Redis "
          + "memory each (message %d chars)%n", events, (after - before) / (double) events, DATA.length());
      server.close();
    }
  }

  private static void publishKept(BroadcastDriver driver, int events) {
    for (int i = 0; i < events; i++) {
      driver.publish(BroadcastMessage.of("OrderShipped", List.of(Channel.of("kept." + (i % 100))), DATA)).join();
    }
  }

  private static long usedMemory(String info) {
    for (String line : info.split("\r?\n")) {
      if (line.startsWith("used_memory:")) {
        return Long.parseLong(line.substring("used_memory:".length()).trim());
      }
    }
    throw new IllegalStateException("INFO memory has no used_memory line: " + info);
  }

  private static long usedAfterGc() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }
}
