package dev.broadcasting.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.broadcasting.BroadcastException;
import dev.broadcasting.Channel;
import dev.broadcasting.PrivateChannel;
import dev.broadcasting.spi.BroadcastMessage;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.SlotHash;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A 3-node Redis Cluster the test builds itself: three cluster-enabled redis-server processes,
 * each assigned a third of the 16384 slots, joined with CLUSTER MEET. The driver is given one
 * node as seed; subscribers sit on every node.
 */
class RedisClusterTest {
  private static final int NODES = 3;
  private static final List<RedisServer> servers = new ArrayList<>();
  private static final List<StatefulRedisConnection<String, String>> admins = new ArrayList<>();
  private static RedisClient adminClient;

  @BeforeAll
  static void startCluster() throws Exception {
    adminClient = RedisClient.create();
    for (int i = 0; i < NODES; i++) {
      int port = freeClusterPort();
      servers.add(RedisServer.startOn(port, "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
          "--cluster-node-timeout", "2000"));
      admins.add(adminClient.connect(RedisURI.create("127.0.0.1", port)));
    }
    for (int i = 0; i < NODES; i++) {
      admins.get(i).sync().clusterAddSlots(IntStream.rangeClosed(first(i), last(i)).toArray());
    }
    for (int i = 1; i < NODES; i++) {
      admins.get(0).sync().clusterMeet("127.0.0.1", servers.get(i).port());
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!admins.stream().allMatch(a -> a.sync().clusterInfo().contains("cluster_state:ok")
        && a.sync().clusterInfo().contains("cluster_known_nodes:" + NODES))) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the cluster did not reach cluster_state:ok: " + admins.get(0).sync().clusterInfo());
      }
      Thread.sleep(50);
    }
  }

  @AfterAll
  static void stopCluster() {
    admins.forEach(StatefulRedisConnection::close);
    if (adminClient != null) {
      adminClient.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
    servers.forEach(RedisServer::close);
  }

  @BeforeEach
  void resetStats() {
    admins.forEach(a -> a.sync().configResetstat());
  }

  @Test
  void publishesThroughOneNodeAndEveryNodeDelivers() throws Exception {
    List<RedisSubscriber> subscribers = new ArrayList<>();
    try (RedisBroadcastDriver driver = RedisBroadcastDriver.builder().cluster(uri(0)).prefix("c_").build()) {
      for (RedisServer server : servers) {
        subscribers.add(RedisSubscriber.pattern(server.port(), "c_*"));
      }
      driver.publish(BroadcastMessage.of("One", List.of(new Channel("solo")), "{\"n\":1}")).get(10, TimeUnit.SECONDS);
      driver.publish(BroadcastMessage.of("Three", List.of(new Channel("a"), new PrivateChannel("b"), new Channel("x.9")),
          "{\"n\":3}", "7.7", null)).get(10, TimeUnit.SECONDS);

      for (RedisSubscriber subscriber : subscribers) {
        assertThat(subscriber.await(4, Duration.ofSeconds(10)))
            .extracting(RedisSubscriber.Received::channel, RedisSubscriber.Received::text)
            .containsExactlyInAnyOrder(
                org.assertj.core.groups.Tuple.tuple("c_solo", "{\"event\":\"One\",\"data\":{\"n\":1},\"socket\":null}"),
                org.assertj.core.groups.Tuple.tuple("c_a", "{\"event\":\"Three\",\"data\":{\"n\":3},\"socket\":\"7.7\"}"),
                org.assertj.core.groups.Tuple.tuple("c_private-b", "{\"event\":\"Three\",\"data\":{\"n\":3},\"socket\":\"7.7\"}"),
                org.assertj.core.groups.Tuple.tuple("c_x.9", "{\"event\":\"Three\",\"data\":{\"n\":3},\"socket\":\"7.7\"}"));
      }
      // each event ran on exactly one node (one PUBLISH; one EVAL, whose three PUBLISHes Redis counts
      // too), so at least two of the three subscribers got each message through the cluster bus
      assertThat(admins.stream().mapToLong(a -> calls(a, "eval")).sum()).isEqualTo(1);
      assertThat(admins.stream().mapToLong(a -> calls(a, "publish")).sum()).isEqualTo(1 + 3);
    } finally {
      subscribers.forEach(RedisSubscriber::close);
    }
  }

  @Test
  void shardedPublishReachesTheNodeThatOwnsTheChannel() throws Exception {
    // two channels in slots served by different nodes
    String first = channelOn(0, "orders.");
    String second = channelOn(2, "stock.");
    BroadcastMessage message = BroadcastMessage.of("Sharded", List.of(new Channel(first), new Channel(second)), "{\"s\":true}");
    try (RedisBroadcastDriver driver = RedisBroadcastDriver.builder().cluster(uri(1)).shardedPublish(true).build()) {
      if (RedisServer.majorVersion() < 7) {
        // the embedded 6.2 fallback: the driver must say why, not retry forever
        ExecutionException error = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
            () -> driver.publish(message).get(10, TimeUnit.SECONDS));
        assertThat(error.getCause()).isInstanceOf(BroadcastException.class).hasMessageContaining("Redis 7.0");
        assertThat(((BroadcastException) error.getCause()).isRetryable()).isFalse();
        return;
      }
      try (RedisSubscriber onFirst = RedisSubscriber.sharded(servers.get(0).port(), first);
          RedisSubscriber onSecond = RedisSubscriber.sharded(servers.get(2).port(), second)) {
        driver.publish(message).get(10, TimeUnit.SECONDS);

        String body = "{\"event\":\"Sharded\",\"data\":{\"s\":true},\"socket\":null}";
        assertThat(onFirst.await(1, Duration.ofSeconds(10))).extracting(RedisSubscriber.Received::channel,
            RedisSubscriber.Received::text).containsExactly(org.assertj.core.groups.Tuple.tuple(first, body));
        assertThat(onSecond.await(1, Duration.ofSeconds(10))).extracting(RedisSubscriber.Received::channel,
            RedisSubscriber.Received::text).containsExactly(org.assertj.core.groups.Tuple.tuple(second, body));
        assertThat(calls(admins.get(0), "spublish")).isEqualTo(1);
        assertThat(calls(admins.get(2), "spublish")).isEqualTo(1);
        assertThat(calls(admins.get(1), "spublish")).isZero();
      }
    }
  }

  @Test
  void aBatchIsOneScriptOnOneNodeAndEveryNodeDeliversItInOrder() throws Exception {
    List<BroadcastMessage> batch = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      batch.add(BroadcastMessage.of("Step", List.of(new Channel("room." + (i % 3))), "{\"seq\":" + i + "}"));
    }
    List<RedisSubscriber> subscribers = new ArrayList<>();
    try (RedisBroadcastDriver driver = RedisBroadcastDriver.builder().cluster(uri(0)).build()) {
      for (RedisServer server : servers) {
        subscribers.add(RedisSubscriber.pattern(server.port(), "room.*"));
      }
      driver.publishAll(batch).get(10, TimeUnit.SECONDS);

      for (RedisSubscriber subscriber : subscribers) {
        assertThat(subscriber.await(30, Duration.ofSeconds(10))).extracting(RedisSubscriber.Received::text)
            .containsExactlyElementsOf(IntStream.range(0, 30)
                .mapToObj(i -> "{\"event\":\"Step\",\"data\":{\"seq\":" + i + "},\"socket\":null}").toList());
      }
      // the whole batch ran as one script on one node; the cluster bus carried it to the others
      assertThat(admins.stream().mapToLong(a -> calls(a, "eval")).sum()).isEqualTo(1);
      assertThat(admins.stream().mapToLong(a -> calls(a, "publish")).sum()).isEqualTo(30);
    } finally {
      subscribers.forEach(RedisSubscriber::close);
    }
  }

  @Test
  void aShardedBatchIsOneScriptPerSlotOnTheNodeThatOwnsIt() throws Exception {
    if (RedisServer.majorVersion() < 7) {
      return; // SPUBLISH needs Redis 7; shardedPublishReachesTheNodeThatOwnsTheChannel covers the refusal
    }
    String first = channelOn(0, "orders.");
    String second = channelOn(2, "stock.");
    List<BroadcastMessage> batch = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      batch.add(BroadcastMessage.of("Step", List.of(new Channel(i % 2 == 0 ? first : second)), "{\"seq\":" + i + "}"));
    }
    try (RedisBroadcastDriver driver = RedisBroadcastDriver.builder().cluster(uri(1)).shardedPublish(true).build();
        RedisSubscriber onFirst = RedisSubscriber.sharded(servers.get(0).port(), first);
        RedisSubscriber onSecond = RedisSubscriber.sharded(servers.get(2).port(), second)) {
      driver.publishAll(batch).get(10, TimeUnit.SECONDS);

      assertThat(onFirst.await(5, Duration.ofSeconds(10))).extracting(RedisSubscriber.Received::text)
          .containsExactlyElementsOf(IntStream.of(0, 2, 4, 6, 8)
              .mapToObj(i -> "{\"event\":\"Step\",\"data\":{\"seq\":" + i + "},\"socket\":null}").toList());
      assertThat(onSecond.await(5, Duration.ofSeconds(10))).extracting(RedisSubscriber.Received::text)
          .containsExactlyElementsOf(IntStream.of(1, 3, 5, 7, 9)
              .mapToObj(i -> "{\"event\":\"Step\",\"data\":{\"seq\":" + i + "},\"socket\":null}").toList());
      assertThat(calls(admins.get(0), "eval")).isEqualTo(1);
      assertThat(calls(admins.get(2), "eval")).isEqualTo(1);
      assertThat(calls(admins.get(1), "eval")).isZero();
      assertThat(calls(admins.get(0), "spublish") + calls(admins.get(2), "spublish")).isEqualTo(10);
    }
  }

  private static String channelOn(int node, String stem) {
    for (int i = 0; ; i++) {
      int slot = SlotHash.getSlot(stem + i);
      if (slot >= first(node) && slot <= last(node)) {
        return stem + i;
      }
    }
  }

  private static int first(int node) {
    return node * 16384 / NODES;
  }

  private static int last(int node) {
    return (node + 1) * 16384 / NODES - 1;
  }

  private static String uri(int node) {
    return servers.get(node).uri();
  }

  private static long calls(StatefulRedisConnection<String, String> admin, String command) {
    Matcher m = Pattern.compile("cmdstat_" + command + ":calls=(\\d+)").matcher(admin.sync().info("commandstats"));
    return m.find() ? Long.parseLong(m.group(1)) : 0;
  }

  private static int freeClusterPort() throws Exception {
    while (true) {
      int port = RedisServer.freePort(true);
      if (servers.stream().noneMatch(s -> Math.abs(s.port() - port) < 2)) {
        return port;
      }
    }
  }
}
