package dev.broadcasting.benchmarks;

import dev.broadcasting.Channel;
import dev.broadcasting.server.App;
import dev.broadcasting.server.BroadcastServer;
import dev.broadcasting.server.redis.RedisBackplane;
import dev.broadcasting.spi.BroadcastMessage;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Redis commands per published event in a cluster of three nodes, from Redis' own
 * {@code INFO commandstats} before and after 10,000 events on a public channel, 10,000 on a cache
 * channel and 10,000 on a channel that keeps history for recovery (in Redis Streams), with a
 * WebSocket client on each node. Commands that a Lua script runs count as commands.
 *
 * <pre>{@code
 * java -cp benchmarks/target/benchmarks.jar dev.broadcasting.benchmarks.ClusterCommands
 * }</pre>
 */
public final class ClusterCommands {
  private static final int EVENTS = 10_000;

  private ClusterCommands() {}

  public static void main(String[] args) throws Exception {
    try (RedisProcess redis = RedisProcess.start()) {
      String uri = "redis://127.0.0.1:" + redis.port();
      BroadcastServer[] nodes = new BroadcastServer[3];
      for (int i = 0; i < 3; i++) {
        nodes[i] = BroadcastServer.builder().host("127.0.0.1").port(0)
            .app(App.builder("1", "bench-key", "bench-secret").history("history-*", 1000, Duration.ofMinutes(5)).build())
            .backplane(RedisBackplane.builder(uri).nodeId("node" + i).build()).build().start();
      }
      try (RedisClient client = RedisClient.create(uri);
          StatefulRedisConnection<String, String> stats = client.connect()) {
        for (String channel : List.of("orders", "cache-prices", "history-orders")) {
          ClusterHopBenchmark.Client[] clients = new ClusterHopBenchmark.Client[3];
          for (int i = 0; i < 3; i++) {
            clients[i] = new ClusterHopBenchmark.Client(nodes[i].port(), channel);
            if (channel.startsWith("cache-")) {
              clients[i].take("pusher:cache_miss");
            }
          }
          stats.sync().configResetstat();
          double cpuBefore = redisCpuSeconds(stats.sync().info("cpu"));
          BroadcastMessage message = BroadcastMessage.of("Shipped", List.of(Channel.of(channel)), "{\"id\":42}");
          for (int n = 0; n < EVENTS; n++) {
            nodes[0].driver("1").publish(message).join();
          }
          for (ClusterHopBenchmark.Client c : clients) {
            for (int n = 0; n < EVENTS; n++) {
              c.take("Shipped");
            }
          }
          double cpu = redisCpuSeconds(stats.sync().info("cpu")) - cpuBefore;
          Map<String, Long> calls = commandCalls(stats.sync().info("commandstats"));
          long total = calls.values().stream().mapToLong(Long::longValue).sum();
          System.out.printf(Locale.ROOT, "%s: %d events, each to 3 nodes: %.3f Redis commands per event, "
              + "%.1f us of redis-server CPU per event %s%n", channel, EVENTS, (double) total / EVENTS,
              cpu * 1e6 / EVENTS, calls);
          for (ClusterHopBenchmark.Client c : clients) {
            c.socket.abort();
          }
        }
      } finally {
        for (BroadcastServer node : nodes) {
          node.close();
        }
      }
    }
  }

  /** redis-server's CPU time so far (user and system), from {@code INFO cpu}. */
  private static double redisCpuSeconds(String info) {
    double seconds = 0;
    for (String line : info.split("\r?\n")) {
      if (line.startsWith("used_cpu_user:") || line.startsWith("used_cpu_sys:")) {
        seconds += Double.parseDouble(line.substring(line.indexOf(':') + 1).trim());
      }
    }
    return seconds;
  }

  private static Map<String, Long> commandCalls(String info) {
    Map<String, Long> calls = new TreeMap<>();
    for (String line : info.split("\r?\n")) {
      // cmdstat_publish:calls=10000,usec=...
      if (line.startsWith("cmdstat_") && !line.startsWith("cmdstat_config") && !line.startsWith("cmdstat_info")) {
        String name = line.substring("cmdstat_".length(), line.indexOf(':'));
        String count = line.substring(line.indexOf("calls=") + 6, line.indexOf(',', line.indexOf("calls=")));
        calls.put(name, Long.parseLong(count));
      }
    }
    return calls;
  }
}
