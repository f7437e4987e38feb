package dev.broadcasting.server.redis;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.broadcasting.Channel;
import dev.broadcasting.redis.RedisClusterServers;
import dev.broadcasting.redis.RedisServer;
import dev.broadcasting.spi.BroadcastMessage;
import io.lettuce.core.cluster.SlotHash;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Three server nodes on a real three-shard Redis Cluster (Redis 7): events travel by sharded
 * pub/sub, each on the shard that owns its channel, and presence is shared as on one Redis; a
 * history channel's stream lives on that shard too.
 */
@Tag("integration")
class RedisClusterModeTest {
  @Test
  void nodesShareEventsAndPresenceThroughARedisCluster() throws Exception {
    assertThat(RedisServer.majorVersion()).as("sharded pub/sub needs redis-server 7 on the PATH").isGreaterThanOrEqualTo(7);
    try (RedisClusterServers shards = RedisClusterServers.start(3);
        TestCluster cluster = TestCluster.on(shards, 3);
        Clients clients = cluster.clients()) {
      String channel = channelOnShard(shards, 2, "sharded-");
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

  @Test
  void historyChannelsKeepTheirStreamOnTheShardOfTheirTraffic() throws Exception {
    assertThat(RedisServer.majorVersion()).as("sharded pub/sub needs redis-server 7 on the PATH").isGreaterThanOrEqualTo(7);
    try (RedisClusterServers shards = RedisClusterServers.start(3);
        TestCluster cluster = TestCluster.on(shards, 3)) {
      String channel = channelOnShard(shards, 1, "history-sharded-");
      List<RawSocket> sockets = new ArrayList<>();
      for (int node = 0; node < 3; node++) {
        RawSocket socket = RawSocket.connect(cluster.port(node));
        socket.subscribe(channel, null);
        sockets.add(socket);
      }
      shards.resetStats();
      for (int n = 1; n <= 3; n++) {
        cluster.nodes.get(n % 3).driver(TestCluster.APP_ID)
            .publish(BroadcastMessage.of("Kept", List.of(Channel.of(channel)), "{\"n\":" + n + "}")).join();
      }
      List<String> first = new ArrayList<>();
      for (RawSocket socket : sockets) {
        List<String> frames = new ArrayList<>();
        for (int n = 1; n <= 3; n++) {
          frames.add(socket.nextText());
        }
        if (first.isEmpty()) {
          first.addAll(frames);
        }
        assertThat(frames).containsExactlyElementsOf(first);
        socket.close();
      }
      assertThat(first).extracting(frame -> TestCluster.JSON.readTree(frame).get("offset").asInt()).containsExactly(1, 2, 3);
      // the script that numbers, keeps and publishes an event ran on the channel's shard only
      assertThat(shards.calls(1, "xadd")).isEqualTo(3);
      assertThat(shards.calls(0, "xadd") + shards.calls(2, "xadd")).isZero();
      assertThat(shards.calls(1, "spublish")).isEqualTo(3);
      assertThat(shards.calls(0, "spublish") + shards.calls(2, "spublish")).isZero();

      JsonNode history = ClusterTest.json(cluster.sdk(2).get("/channels/" + channel + "/history", Map.of("from", "1")));
      assertThat(history.get("offset").asInt()).isEqualTo(3);
      assertThat(history.get("events")).hasSize(2);
      assertThat(history.get("events").get(1).toString()).isEqualTo(TestCluster.JSON.readTree(first.get(2)).toString());
    }
  }

  /** A channel whose pub/sub name ({@code broadcasting:server:1:c:<name>}) hashes to a slot of shard {@code shard}. */
  private static String channelOnShard(RedisClusterServers shards, int shard, String prefix) {
    for (int i = 0; ; i++) {
      int slot = SlotHash.getSlot("broadcasting:server:" + TestCluster.APP_ID + ":c:" + prefix + i);
      if (slot >= shards.first(shard) && slot <= shards.last(shard)) {
        return prefix + i;
      }
    }
  }
}
