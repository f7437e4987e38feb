package dev.broadcasting.server.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.broadcasting.Channel;
import dev.broadcasting.redis.RedisClusterServers;
import dev.broadcasting.redis.RedisServer;
import dev.broadcasting.spi.BroadcastMessage;
import io.lettuce.core.cluster.SlotHash;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Three server nodes on a real three-shard Redis Cluster (Redis 7): events travel by sharded
 * pub/sub, each on the shard that owns its channel, and presence is shared as on one Redis.
 */
@Tag("integration")
class RedisClusterModeTest {
  @Test
  void nodesShareEventsAndPresenceThroughARedisCluster() throws Exception {
    assertThat(RedisServer.majorVersion()).as("sharded pub/sub needs redis-server 7 on the PATH").isGreaterThanOrEqualTo(7);
    try (RedisClusterServers shards = RedisClusterServers.start(3);
        TestCluster cluster = TestCluster.on(shards, 3);
        Clients clients = cluster.clients()) {
      String channel = channelOnShard(shards, 2);
      for (int node = 0; node < 3; node++) {
        clients.connect("s" + node, cluster.port(node), "s" + node);
        clients.subscribe("s" + node, channel);
      }
      shards.resetStats();
      for (int n = 0; n < 3; n++) {
        cluster.nodes.get(n).driver(TestCluster.APP_ID)
            .publish(BroadcastMessage.of("Sharded", List.of(Channel.of(channel)), "{\"n\":" + n + "}")).join();
      }
      for (int node = 0; node < 3; node++) {
        String id = "s" + node;
        clients.await(line -> Clients.is(line, "event", id) && line.path("data").path("n").asInt() == 2);
      }
      assertThat(clients.events("s0", channel)).containsExactlyInAnyOrder("Sharded#0", "Sharded#1", "Sharded#2");
      assertThat(clients.events("s1", channel)).containsExactlyInAnyOrder("Sharded#0", "Sharded#1", "Sharded#2");
      // each event went out once, as SPUBLISH, on the shard that owns the channel only
      assertThat(shards.calls(2, "spublish")).isEqualTo(3);
      assertThat(shards.calls(0, "spublish") + shards.calls(1, "spublish")).isZero();
      assertThat(shards.calls(0, "publish") + shards.calls(1, "publish") + shards.calls(2, "publish")).isZero();

      assertThat(clients.echoJoin("p0", cluster.port(0), "ann", "sharded.1")).containsExactly("ann");
      assertThat(clients.echoJoin("p1", cluster.port(1), "bea", "sharded.1")).containsExactly("ann", "bea");
      assertThat(clients.echoJoin("p2", cluster.port(2), "cy", "sharded.1")).containsExactly("ann", "bea", "cy");
      clients.await(line -> Clients.is(line, "joining", "p0") && line.path("user").asText().equals("cy"));
      clients.disconnect("p1");
      clients.await(line -> Clients.is(line, "leaving", "p2") && line.path("user").asText().equals("bea"));
      assertThat(ClusterTest.json(cluster.sdk(0).get("/channels/presence-sharded.1/users")).get("users")
          .findValuesAsText("id")).containsExactlyInAnyOrder("ann", "cy");
    }
  }

  /** A channel whose pub/sub name ({@code broadcasting:server:1:c:<name>}) hashes to a slot of shard {@code shard}. */
  private static String channelOnShard(RedisClusterServers shards, int shard) {
    for (int i = 0; ; i++) {
      int slot = SlotHash.getSlot("broadcasting:server:" + TestCluster.APP_ID + ":c:sharded-" + i);
      if (slot >= shards.first(shard) && slot <= shards.last(shard)) {
        return "sharded-" + i;
      }
    }
  }
}
