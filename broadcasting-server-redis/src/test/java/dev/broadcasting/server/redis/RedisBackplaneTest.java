package dev.broadcasting.server.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.broadcasting.BroadcastException;
import dev.broadcasting.Channel;
import dev.broadcasting.redis.RedisServer;
import dev.broadcasting.server.App;
import dev.broadcasting.server.BroadcastServer;
import dev.broadcasting.server.internal.ServerSettingsReader;
import dev.broadcasting.server.redis.internal.RedisBackplaneProvider;
import dev.broadcasting.spi.BroadcastMessage;
import dev.broadcasting.spi.DriverSettings;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The backplane's builder, what it says about itself, and nodes that find their Redis through a Sentinel. */
class RedisBackplaneTest {
  @Test
  void theBuilderRefusesWrongValuesAndSaysWhy() {
    assertThatThrownBy(() -> RedisBackplane.builder("nonsense://x"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("write redis://host:6379");
    assertThatThrownBy(() -> RedisBackplane.builder("redis://localhost").lease(Duration.ofMillis(500)))
        .hasMessage("lease must be at least one second but was PT0.5S");
    assertThatThrownBy(() -> RedisBackplane.builder("redis://localhost").nodeId("a b"))
        .hasMessageContaining("nodeId \"a b\" is invalid");
    assertThatThrownBy(() -> RedisBackplane.builder("redis://localhost").keyPrefix("{x}"))
        .hasMessageContaining("without braces");
  }

  @Test
  void anUnreachableRedisFailsTheBuildNamingWhereWithoutThePassword() throws Exception {
    int nobody = RedisServer.freePort(false);
    assertThatThrownBy(() -> RedisBackplane.builder("redis://:s3cret@127.0.0.1:" + nobody).nodeId("n1").build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("RedisBackplane{127.0.0.1:" + nobody + ", node=n1} could not connect to Redis")
        .hasMessageNotContaining("s3cret");
  }

  @Test
  void nodesFindTheirMasterThroughASentinel() throws Exception {
    try (RedisServer master = RedisServer.start(); RedisServer sentinel = RedisServer.sentinel("mymaster", master.port())) {
      String uri = "redis-sentinel://127.0.0.1:" + sentinel.port() + "/0#mymaster";
      RedisBackplane first = RedisBackplane.builder(uri).nodeId("s0").build();
      assertThat(first).hasToString("RedisBackplane{master 'mymaster' of Sentinel 127.0.0.1:" + sentinel.port()
          + ", node=s0}");
      try (BroadcastServer a = server(first); BroadcastServer b = server(RedisBackplane.builder(uri).build());
          Clients clients = new Clients(Map.of("KEY", TestCluster.KEY, "AUTH_URL", "http://127.0.0.1:9/unused",
              "SIGNIN_URL", "http://127.0.0.1:9/unused"))) {
        clients.connect("c", b.port(), "c");
        clients.subscribe("c", "via-sentinel");
        a.driver(TestCluster.APP_ID).publish(BroadcastMessage.of("Found", List.of(Channel.of("via-sentinel")),
            "{\"n\":1}")).join();
        clients.await(line -> Clients.is(line, "event", "c") && line.path("event").asText().equals("Found"));
      }
    }
  }

  @Test
  void serverSettingsFindTheBackplaneByItsUrl() {
    Map<String, String> settings = Map.of("PUSHER_APP_ID", "1", "PUSHER_APP_KEY", "k", "PUSHER_APP_SECRET", "s",
        "BROADCAST_SERVER_BACKPLANE", "nats://:pw@queue:4222");
    assertThatThrownBy(() -> ServerSettingsReader.read(DriverSettings.of(settings)))
        .isInstanceOf(BroadcastException.class)
        .hasMessage("No backplane on the classpath accepts BROADCAST_SERVER_BACKPLANE=nats://***@queue:4222; for "
            + "redis:// add the dev.broadcasting:broadcasting-server-redis artifact");
    assertThat(new RedisBackplaneProvider().accepts("redis-sentinel://s:26379#m")).isTrue();
    assertThat(new RedisBackplaneProvider().accepts("nats://queue:4222")).isFalse();
  }

  private static BroadcastServer server(RedisBackplane backplane) {
    return BroadcastServer.builder().host("127.0.0.1").port(0)
        .app(App.builder(TestCluster.APP_ID, TestCluster.KEY, TestCluster.SECRET).build())
        .backplane(backplane).build().start();
  }
}
