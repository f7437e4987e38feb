package dev.broadcasting.redis;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

/**
 * A Redis Cluster for tests: cluster-enabled redis-server processes on free ports, each assigned
 * an equal share of the 16384 slots, joined with CLUSTER MEET, with an admin connection to each.
 *
 * <pre>{@code
 * try (RedisClusterServers cluster = RedisClusterServers.start(3)) {
 *   RedisClusterClient.create(cluster.uri(0));
 * }
 * }</pre>
 */
public final class RedisClusterServers implements AutoCloseable {
  private final int nodes;
  private final List<RedisServer> servers = new ArrayList<>();
  private final List<StatefulRedisConnection<String, String>> admins = new ArrayList<>();
  private final RedisClient adminClient = RedisClient.create();

  private RedisClusterServers(int nodes) {
    this.nodes = nodes;
  }

  /** Starts {@code nodes} masters and returns once every one says {@code cluster_state:ok}. */
  public static RedisClusterServers start(int nodes) throws Exception {
    RedisClusterServers cluster = new RedisClusterServers(nodes);
    try {
      cluster.form();
    } catch (Exception | Error e) {
      cluster.close();
      throw e;
    }
    return cluster;
  }

  private void form() throws Exception {
    for (int i = 0; i < nodes; i++) {
      int port = freeClusterPort();
      servers.add(RedisServer.startOn(port, "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
          "--cluster-node-timeout", "2000"));
      admins.add(adminClient.connect(RedisURI.create("127.0.0.1", port)));
    }
    for (int i = 0; i < nodes; i++) {
      admins.get(i).sync().clusterAddSlots(IntStream.rangeClosed(first(i), last(i)).toArray());
    }
    for (int i = 1; i < nodes; i++) {
      admins.get(0).sync().clusterMeet("127.0.0.1", servers.get(i).port());
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!admins.stream().allMatch(a -> a.sync().clusterInfo().contains("cluster_state:ok")
        && a.sync().clusterInfo().contains("cluster_known_nodes:" + nodes))) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the cluster did not reach cluster_state:ok: " + admins.get(0).sync().clusterInfo());
      }
      Thread.sleep(50);
    }
  }

  public List<RedisServer> servers() {
    return servers;
  }

  public List<StatefulRedisConnection<String, String>> admins() {
    return admins;
  }

  /** The first slot that node {@code node} serves. */
  public int first(int node) {
    return node * 16384 / nodes;
  }

  /** The last slot that node {@code node} serves. */
  public int last(int node) {
    return (node + 1) * 16384 / nodes - 1;
  }

  public String uri(int node) {
    return servers.get(node).uri();
  }

  /** How often node {@code node} ran {@code command} since the last {@link #resetStats()}. */
  public long calls(int node, String command) {
    Matcher m = Pattern.compile("cmdstat_" + command + ":calls=(\\d+)").matcher(admins.get(node).sync().info("commandstats"));
    return m.find() ? Long.parseLong(m.group(1)) : 0;
  }

  public void resetStats() {
    admins.forEach(a -> a.sync().configResetstat());
  }

  private int freeClusterPort() throws Exception {
    while (true) {
      int port = RedisServer.freePort(true);
      if (servers.stream().noneMatch(s -> Math.abs(s.port() - port) < 2)) {
        return port;
      }
    }
  }

  @Override
  public void close() {
    admins.forEach(StatefulRedisConnection::close);
    adminClient.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    servers.forEach(RedisServer::close);
  }
}
