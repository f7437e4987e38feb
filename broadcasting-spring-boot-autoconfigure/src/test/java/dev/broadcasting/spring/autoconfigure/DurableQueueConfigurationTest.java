package dev.broadcasting.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.broadcasting.Broadcaster;
import dev.broadcasting.Channel;
import dev.broadcasting.queue.redis.RedisStreamQueue;
import dev.broadcasting.redis.RedisServer;
import dev.broadcasting.spi.BroadcastQueue;
import java.util.Map;
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
