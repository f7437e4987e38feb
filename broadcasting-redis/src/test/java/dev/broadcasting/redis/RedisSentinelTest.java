package dev.broadcasting.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.broadcasting.Channel;
import dev.broadcasting.redis.internal.PublishSocket;
import dev.broadcasting.resp.internal.RespEndpoint;
import dev.broadcasting.resp.internal.RespRefused;
import dev.broadcasting.spi.BroadcastMessage;
import io.lettuce.core.RedisURI;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A master found through a real Sentinel, from a {@code redis-sentinel://} URI. */
class RedisSentinelTest {

  @Test
  void publishesToTheMasterTheSentinelNames() throws Exception {
    publishesToTheMasterTheSentinelNames(RedisBroadcastDriver.builder());
  }

  @Test
  void publishesThroughLettuceToTheMasterTheSentinelNames() throws Exception {
    publishesToTheMasterTheSentinelNames(RedisBroadcastDriver.builder().publishSocket(false));
  }

  private static void publishesToTheMasterTheSentinelNames(RedisBroadcastDriver.Builder builder) throws Exception {
    try (RedisServer master = RedisServer.start();
        RedisServer sentinel = RedisServer.sentinel("mymaster", master.port());
        RedisSubscriber subscriber = RedisSubscriber.pattern(master.port(), "*");
        RedisBroadcastDriver driver = builder
            .uri("redis-sentinel://127.0.0.1:" + sentinel.port() + "/0#mymaster").build()) {
      assertThat(driver.toString()).contains("master 'mymaster' of Sentinel 127.0.0.1:" + sentinel.port());

      driver.publish(BroadcastMessage.of("ViaSentinel", List.of(new Channel("s.1"), new Channel("s.2")), "{\"ok\":true}"))
          .get(10, TimeUnit.SECONDS);

      // the Sentinel talks to its master over pub/sub too (__sentinel__:hello): not ours to count
      assertThat(subscriber.settle(master.port()).stream().filter(r -> !r.channel().startsWith("__sentinel__")))
          .extracting(RedisSubscriber.Received::channel, RedisSubscriber.Received::text)
          .containsExactlyInAnyOrder(
              org.assertj.core.groups.Tuple.tuple("s.1", "{\"event\":\"ViaSentinel\",\"data\":{\"ok\":true},\"socket\":null}"),
              org.assertj.core.groups.Tuple.tuple("s.2", "{\"event\":\"ViaSentinel\",\"data\":{\"ok\":true},\"socket\":null}"));
    }
  }

  @Test
  void aServerTheSentinelsNamedThatIsAReplicaNowIsRefusedAsRetryable() throws Exception {
    try (RedisServer master = RedisServer.start();
        RedisServer replica = RedisServer.start("--replicaof", "127.0.0.1", Integer.toString(master.port()))) {
      RespEndpoint stale = new RespEndpoint(RedisURI.create(replica.uri()), null, Duration.ofSeconds(5));

      assertThatThrownBy(() -> PublishSocket.to(stale, true).open()).isInstanceOf(IOException.class)
          .isNotInstanceOf(RespRefused.class)
          .hasMessage("the server the Sentinels named as the master is a slave (a failover under way?); the "
              + "Sentinels are asked again at the next attempt");
      PublishSocket.to(stale, false).open().close(); // a replica takes PUBLISH: only the check refuses it
      PublishSocket.to(new RespEndpoint(RedisURI.create(master.uri()), null, Duration.ofSeconds(5)), true).open().close();
    }
  }
}
