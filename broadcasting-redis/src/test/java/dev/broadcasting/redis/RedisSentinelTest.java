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
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;

/** A master found through a real Sentinel, from a {@code redis-sentinel://} URI. */
class RedisSentinelTest {

  @Test
  void publishesToTheMasterTheSentinelNames() throws Exception {
    assertThat(publishedThroughTheSentinel(RedisBroadcastDriver.builder())).containsExactlyInAnyOrder(VIA_SENTINEL);
  }

  @Test
  void publishesThroughLettuceToTheMasterTheSentinelNames() throws Exception {
    assertThat(publishedThroughTheSentinel(RedisBroadcastDriver.builder().publishSocket(false)))
        .containsExactlyInAnyOrder(VIA_SENTINEL);
  }

  private static final Tuple[] VIA_SENTINEL = {
      Tuple.tuple("s.1", "{\"event\":\"ViaSentinel\",\"data\":{\"ok\":true},\"socket\":null}"),
      Tuple.tuple("s.2", "{\"event\":\"ViaSentinel\",\"data\":{\"ok\":true},\"socket\":null}")};

  /** Publishes one event on two channels through a Sentinel URI; what the master's subscriber got, (channel, text). */
  private static List<Tuple> publishedThroughTheSentinel(RedisBroadcastDriver.Builder builder)
      throws Exception {
    try (RedisServer master = RedisServer.start();
        RedisServer sentinel = RedisServer.sentinel("mymaster", master.port());
        RedisSubscriber subscriber = RedisSubscriber.pattern(master.port(), "*");
        RedisBroadcastDriver driver = builder
            .uri("redis-sentinel://127.0.0.1:" + sentinel.port() + "/0#mymaster").build()) {
      assertThat(driver.toString()).contains("master 'mymaster' of Sentinel 127.0.0.1:" + sentinel.port());

      driver.publish(BroadcastMessage.of("ViaSentinel", List.of(new Channel("s.1"), new Channel("s.2")), "{\"ok\":true}"))
          .get(10, TimeUnit.SECONDS);

      // the Sentinel talks to its master over pub/sub too (__sentinel__:hello): not ours to count
      return subscriber.settle(master.port()).stream().filter(r -> !r.channel().startsWith("__sentinel__"))
          .map(r -> Tuple.tuple(r.channel(), r.text())).toList();
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
