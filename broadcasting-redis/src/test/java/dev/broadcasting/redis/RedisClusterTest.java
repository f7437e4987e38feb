package dev.broadcasting.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.broadcasting.BroadcastException;
import dev.broadcasting.Channel;
import dev.broadcasting.PrivateChannel;
import dev.broadcasting.spi.BroadcastMessage;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.SlotHash;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
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
  private static RedisClusterServers cluster;
  private static List<RedisServer> servers;
  private static List<StatefulRedisConnection<String, String>> admins;

  @BeforeAll
  static void startCluster() throws Exception {
    cluster = RedisClusterServers.start(NODES);
    servers = cluster.servers();
    admins = cluster.admins();
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @BeforeEach
  void resetStats() {
    cluster.resetStats();
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
    return cluster.first(node);
  }

  private static int last(int node) {
    return cluster.last(node);
  }

  private static String uri(int node) {
    return cluster.uri(node);
  }

  private static long calls(StatefulRedisConnection<String, String> admin, String command) {
    return cluster.calls(admins.indexOf(admin), command);
  }
}
