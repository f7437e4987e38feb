package dev.broadcasting.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.broadcasting.Broadcaster;
import dev.broadcasting.Channel;
import dev.broadcasting.queue.redis.RedisStreamQueue;
import dev.broadcasting.redis.RedisServer;
import dev.broadcasting.spi.BroadcastQueue;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * {@code broadcasting.queue.store=redis} and its typed settings, against a real redis-server: the
 * durable queue is a bean, the broadcaster writes to it, and each setting reaches it. Unset, or
 * {@code memory}, events wait in memory and no queue bean exists.
 */
class DurableQueueConfigurationTest {
  private static RedisServer redis;

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(BroadcastingAutoConfigurationTest.all());

  @BeforeAll
  static void start() throws Exception {
    redis = RedisServer.start();
  }

  @AfterAll
  static void stop() {
    redis.close();
  }

  @Test
  void storeRedisMakesTheDurableQueueWithTheTypedSettingsAndTheBroadcasterWritesToIt() {
    runner.withPropertyValues("broadcasting.queue.store=redis", "broadcasting.queue.redis.url=" + redis.uri(),
        "broadcasting.queue.redis.prefix=spring-typed", "broadcasting.queue.redis.partitions=3",
        "broadcasting.queue.redis.workers=false", "broadcasting.queue.redis.lease-ttl=2s",
        "broadcasting.queue.redis.command-timeout=1500ms").run(context -> {
          assertThat(context).hasSingleBean(BroadcastQueue.class);
          RedisStreamQueue queue = context.getBean(RedisStreamQueue.class);
          assertThat(queue).hasToString("RedisStreamQueue{" + redis.uri() + ", prefix=spring-typed, partitions=3, "
              + "workers=false}");
          Broadcaster broadcaster = context.getBean(Broadcaster.class);
          assertThat(broadcaster.on(new Channel("orders")).as("Shipped").with(Map.of("n", 1)).send())
              .as("stored; no worker runs, so not yet delivered").isNotDone();
          assertThat(queue.stats().depth()).isEqualTo(1);
        });
  }

  @Test
  void laravelsEnvironmentNamesWorkToo() {
    runner.withPropertyValues("BROADCAST_QUEUE=redis", "BROADCAST_QUEUE_REDIS_URL=" + redis.uri(),
        "BROADCAST_QUEUE_PREFIX=spring-env", "BROADCAST_QUEUE_WORKERS=false",
        "broadcasting.queue.redis.partitions=5").run(context ->
        assertThat(context.getBean(RedisStreamQueue.class)).hasToString("RedisStreamQueue{" + redis.uri()
            + ", prefix=spring-env, partitions=5, workers=false}"));
  }

  @Test
  void everyPropertyReachesTheQueueUnderItsEnvironmentName() {
    BroadcastingProperties.DurableRedis redis = new BroadcastingProperties.DurableRedis();
    redis.setUrl("rediss://q:6380");
    redis.setPrefix("p");
    redis.setPartitions(3);
    redis.setMaxLength(4L);
    redis.setFailedMaxLength(5L);
    redis.setLeaseTtl(Duration.ofSeconds(6));
    redis.setClaimIdle(Duration.ofSeconds(2));
    redis.setWorkers(false);
    redis.setCommandTimeout(Duration.ofMillis(700));
    redis.setReadCount(8);
    redis.setReadLinger(Duration.ofMillis(9));
    redis.setMaxInHand(10);
    redis.setTrackLimit(11);
    redis.setCaFile("/ca.pem");
    redis.setTrustStore("/trust.p12");
    redis.setTrustStorePassword("secret");
    Map<String, String> values = new TreeMap<>();
    redis.putInto(values);
    assertThat(values).isEqualTo(new TreeMap<>(Map.ofEntries(Map.entry("BROADCAST_QUEUE_REDIS_URL", "rediss://q:6380"),
        Map.entry("BROADCAST_QUEUE_PREFIX", "p"), Map.entry("BROADCAST_QUEUE_PARTITIONS", "3"),
        Map.entry("BROADCAST_QUEUE_MAX_LENGTH", "4"), Map.entry("BROADCAST_QUEUE_FAILED_MAX_LENGTH", "5"),
        Map.entry("BROADCAST_QUEUE_LEASE_TTL", "PT6S"), Map.entry("BROADCAST_QUEUE_CLAIM_IDLE", "PT2S"),
        Map.entry("BROADCAST_QUEUE_WORKERS", "false"), Map.entry("BROADCAST_QUEUE_REDIS_TIMEOUT", "PT0.7S"),
        Map.entry("BROADCAST_QUEUE_READ_COUNT", "8"), Map.entry("BROADCAST_QUEUE_READ_LINGER", "PT0.009S"),
        Map.entry("BROADCAST_QUEUE_MAX_IN_HAND", "10"), Map.entry("BROADCAST_QUEUE_TRACK_LIMIT", "11"),
        Map.entry("BROADCAST_QUEUE_REDIS_CA_FILE", "/ca.pem"), Map.entry("BROADCAST_QUEUE_REDIS_TRUST_STORE", "/trust.p12"),
        Map.entry("BROADCAST_QUEUE_REDIS_TRUST_STORE_PASSWORD", "secret"))));
  }

  @Test
  void unsetOrMemoryKeepsEventsInMemoryWithNoQueueBean() {
    runner.run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(BroadcastQueue.class));
    runner.withPropertyValues("broadcasting.queue.store=memory", "BROADCAST_QUEUE=redis").run(context ->
        assertThat(context).hasNotFailed().doesNotHaveBean(BroadcastQueue.class));
  }

  @Test
  void aWrongSettingNamesTheProperty() {
    runner.withPropertyValues("broadcasting.queue.store=redis", "broadcasting.queue.redis.url=" + redis.uri(),
        "broadcasting.queue.redis.partitions=0").run(context -> assertThat(context).getFailure()
        .hasStackTraceContaining("broadcasting.queue.store (or BROADCAST_QUEUE) is 'redis': The durable queue's "
            + "settings are invalid: partitions must be between 1 and 1024 but was 0 Its settings: "
            + "broadcasting.queue.redis.* or BROADCAST_QUEUE_*"));
  }
}
