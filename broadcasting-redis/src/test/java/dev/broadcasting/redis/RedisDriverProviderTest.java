package dev.broadcasting.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.broadcasting.BroadcastException;
import dev.broadcasting.Broadcaster;
import dev.broadcasting.Channel;
import dev.broadcasting.internal.DriverRegistry;
import dev.broadcasting.spi.BroadcastDriver;
import dev.broadcasting.spi.BroadcastMessage;
import dev.broadcasting.spi.DriverSettings;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The {@code redis} driver configured by name, from Laravel's variables, against a real server. */
class RedisDriverProviderTest {

  @Test
  void readsRedisHostPortPasswordAndPrefix() throws Exception {
    try (RedisServer server = RedisServer.start("--requirepass", "s3cret");
        RedisSubscriber subscriber = RedisSubscriber.pattern(
            io.lettuce.core.RedisURI.create("redis://:s3cret@127.0.0.1:" + server.port()), "*");
        BroadcastDriver driver = DriverRegistry.create("redis", DriverSettings.of(Map.of(
            "REDIS_HOST", "127.0.0.1", "REDIS_PORT", String.valueOf(server.port()),
            "REDIS_PASSWORD", "s3cret", "REDIS_PREFIX", "laravel_database_")))) {
      driver.publish(BroadcastMessage.of("E", List.of(new Channel("c")), "{}")).get(10, TimeUnit.SECONDS);

      assertThat(subscriber.await(1, java.time.Duration.ofSeconds(10)))
          .extracting(RedisSubscriber.Received::channel).containsExactly("laravel_database_c");
    }
  }

  @Test
  void readsRedisUrlAndLetsTheBroadcastPrefixWin() throws Exception {
    try (RedisServer server = RedisServer.start();
        RedisSubscriber subscriber = RedisSubscriber.pattern(server.port(), "*");
        Broadcaster broadcaster = Broadcaster.fromMap(Map.of("BROADCAST_CONNECTION", "redis",
            "REDIS_URL", server.uri(), "REDIS_PREFIX", "ignored_", "BROADCAST_REDIS_PREFIX", "app1:"))) {
      broadcaster.on(new Channel("orders")).as("Placed").with(Map.of("id", 1)).send().get(10, TimeUnit.SECONDS);

      assertThat(subscriber.settle(server.port())).extracting(RedisSubscriber.Received::channel, RedisSubscriber.Received::text)
          .containsExactly(org.assertj.core.groups.Tuple.tuple("app1:orders", "{\"event\":\"Placed\",\"data\":{\"id\":1},\"socket\":null}"));
    }
  }

  @Test
  void namesTheBadSettingAndNeverItsSecret() {
    assertThatThrownBy(() -> DriverRegistry.create("redis", DriverSettings.of(Map.of("REDIS_PORT", "six"))))
        .isInstanceOf(BroadcastException.class).hasMessageContaining("REDIS_PORT").hasMessageContaining("six");
    assertThatThrownBy(() -> DriverRegistry.create("redis", DriverSettings.of(Map.of("REDIS_PORT", "70000"))))
        .hasMessageContaining("REDIS_PORT must be between 1 and 65535 but was 70000");
    assertThatThrownBy(() -> DriverRegistry.create("redis", DriverSettings.of(Map.of("REDIS_URL", "nope://:pw-123@h"))))
        .isInstanceOf(BroadcastException.class).hasMessageContaining("not a Redis URI")
        .hasMessageNotContaining("pw-123");
    assertThatThrownBy(() -> DriverRegistry.create("redis", DriverSettings.of(Map.of(
        "REDIS_URL", "redis://127.0.0.1:1", "BROADCAST_REDIS_LAZY", "maybe"))))
        .hasMessageContaining("BROADCAST_REDIS_LAZY must be true or false but was \"maybe\"");
  }

  @Test
  void lazyFromTheEnvironmentBuildsWithoutRedis() throws Exception {
    int port = RedisServer.freePort(false);
    try (BroadcastDriver driver = DriverRegistry.create("redis", DriverSettings.of(Map.of(
        "REDIS_HOST", "127.0.0.1", "REDIS_PORT", String.valueOf(port), "BROADCAST_REDIS_LAZY", "true")))) {
      assertThat(driver.toString()).contains("127.0.0.1:" + port);
    }
  }

  @Test
  void publishSocketFalseFromTheEnvironmentPublishesThroughLettuce() throws Exception {
    for (String setting : new String[] {null, "false"}) {
      try (RedisServer server = RedisServer.start();
          BroadcastDriver driver = DriverRegistry.create("redis", DriverSettings.of(setting == null
              ? Map.of("REDIS_URL", server.uri())
              : Map.of("REDIS_URL", server.uri(), "BROADCAST_REDIS_PUBLISH_SOCKET", setting)))) {
        driver.publish(BroadcastMessage.of("E", List.of(new Channel("c")), "{}")).get(10, TimeUnit.SECONDS);

        io.lettuce.core.RedisClient admin = io.lettuce.core.RedisClient.create(server.uri());
        // RESP2, so that the admin connection itself sends no HELLO
        admin.setOptions(io.lettuce.core.ClientOptions.builder()
            .protocolVersion(io.lettuce.core.protocol.ProtocolVersion.RESP2).build());
        try (var connection = admin.connect()) {
          // lettuce opens with HELLO (it asks for RESP3); the publish socket speaks RESP2 and never sends it
          String stats = connection.sync().info("commandstats");
          assertThat(stats.contains("cmdstat_hello:")).as("HELLO with setting %s", setting).isEqualTo(setting != null);
        } finally {
          admin.shutdown();
        }
      }
    }
  }
}
