package dev.broadcasting.benchmarks;

import dev.broadcasting.Channel;
import dev.broadcasting.server.BroadcastServer;
import dev.broadcasting.server.redis.RedisBackplane;
import dev.broadcasting.spi.BroadcastMessage;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Fan-out of one event to 10,000 WebSocket connections: all on one server without a backplane,
 * then spread over three cluster nodes on one Redis. Prints, for each, the time from publish to the
 * last connection's receipt, the server heap per connection, and the Redis commands the event
 * cost. The connections are {@code load.mjs} processes (the {@code ws} package) from
 * broadcasting-server's tests, whose npm packages {@code .ci/setup.d/20-server-node.sh} installs.
 *
 * <pre>{@code
 * java -cp benchmarks/target/benchmarks.jar dev.broadcasting.benchmarks.ClusterFanout broadcasting-server/src/test/js 10000
 * }</pre>
 */
public final class ClusterFanout {
  private ClusterFanout() {}

  public static void main(String[] args) throws Exception {
    Path js = Path.of(args.length > 0 ? args[0] : "broadcasting-server/src/test/js").toAbsolutePath();
    int connections = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
    try (RedisProcess redis = RedisProcess.start()) {
      String uri = "redis://127.0.0.1:" + redis.port();
      run("one server, no backplane", js, connections, List.of(ClusterHopBenchmark.server(null)), null);
      List<BroadcastServer> nodes = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        nodes.add(ClusterHopBenchmark.server(RedisBackplane.builder(uri).nodeId("fanout" + i).build()));
      }
      run("three cluster nodes", js, connections, nodes, uri);
    }
  }

  private static void run(String name, Path js, int connections, List<BroadcastServer> servers, String redisUri)
      throws Exception {
    long heapBefore = usedHeapAfterGc();
    List<Process> clients = new ArrayList<>();
    List<BufferedReader> outputs = new ArrayList<>();
    for (int i = 0; i < servers.size(); i++) {
      int count = connections / servers.size() + (i < connections % servers.size() ? 1 : 0);
      ProcessBuilder builder = new ProcessBuilder("bash", "-c", "ulimit -n \"$(ulimit -Hn)\" && exec node load.mjs")
          .directory(js.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT);
      builder.environment().put("PORT", Integer.toString(servers.get(i).port()));
      builder.environment().put("KEY", "bench-key");
      builder.environment().put("COUNT", Integer.toString(count));
      Process process = builder.start();
      clients.add(process);
      outputs.add(new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)));
    }
    try {
      for (BufferedReader output : outputs) {
        await(output, "\"ready\"");
      }
      long heapWith = usedHeapAfterGc();
      StatefulRedisConnection<String, String> stats = null;
      RedisClient client = null;
      if (redisUri != null) {
        client = RedisClient.create(redisUri);
        stats = client.connect();
        stats.sync().configResetstat();
      }
      long start = System.nanoTime();
      servers.get(0).driver("1").publish(BroadcastMessage.of("Load", List.of(Channel.of("load")), "{\"n\":1}")).join();
      for (BufferedReader output : outputs) {
        await(output, "\"received\"");
      }
      double millis = (System.nanoTime() - start) / 1e6;
      String commands = "none";
      if (stats != null) {
        commands = stats.sync().info("commandstats").lines().filter(line -> line.startsWith("cmdstat_")
            && !line.startsWith("cmdstat_config") && !line.startsWith("cmdstat_info"))
            .map(line -> line.substring(8, line.indexOf(',')).replace(":calls=", "=")).toList().toString();
        stats.close();
        client.shutdown();
      }
      System.out.printf(Locale.ROOT, "%s: %d connections; one event reached all of them %.1f ms after publish; "
          + "server heap %.1f KiB per connection (%d MiB -> %d MiB); Redis commands during the event: %s%n",
          name, connections, millis, (heapWith - heapBefore) / 1024.0 / connections, heapBefore >> 20, heapWith >> 20,
          commands);
    } finally {
      clients.forEach(Process::destroyForcibly);
      for (Process process : clients) {
        process.waitFor(10, TimeUnit.SECONDS);
      }
      servers.forEach(BroadcastServer::close);
    }
  }

  private static void await(BufferedReader output, String type) throws Exception {
    for (String line; (line = output.readLine()) != null; ) {
      if (line.contains(type)) {
        return;
      }
      if (line.contains("\"timeout\"")) {
        throw new IllegalStateException("load.mjs timed out: " + line);
      }
    }
    throw new IllegalStateException("load.mjs ended before printing " + type);
  }

  private static long usedHeapAfterGc() throws InterruptedException {
    System.gc();
    Thread.sleep(200);
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }
}
