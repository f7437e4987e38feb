package dev.broadcasting.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.lettuce.core.RedisClient;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** RedisExample against a real redis-server ({@link LocalRedis}). */
class RedisExampleTest {

  @Test
  void publishesTheEventInLaravelsFormatOnThePrefixedChannel() throws Exception {
    LocalRedis redis = LocalRedis.start();
    RedisClient client = RedisClient.create(redis.url());
    try (StatefulRedisPubSubConnection<String, String> subscriber = client.connectPubSub()) {
      BlockingQueue<String> received = new LinkedBlockingQueue<>();
      subscriber.addListener(new RedisPubSubAdapter<>() {
        @Override
        public void message(String channel, String message) {
          received.add(channel + " " + message);
        }
      });
      subscriber.sync().subscribe("app_prices");

      RedisExample.send(Map.of("REDIS_URL", redis.url(), "REDIS_PREFIX", "app_"));

      String message = received.poll(10, TimeUnit.SECONDS);
      assertThat(message).startsWith("app_prices ");
      ObjectMapper json = new ObjectMapper();
      assertThat(json.readTree(message.substring("app_prices ".length()))).isEqualTo(json.readTree(
          "{\"event\":\"PriceChanged\",\"data\":{\"symbol\":\"ACME\",\"price\":\"12.34\"},\"socket\":null}"));
    } finally {
      client.shutdown();
      redis.close();
    }
  }
}
