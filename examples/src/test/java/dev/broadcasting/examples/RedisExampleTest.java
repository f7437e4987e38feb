package dev.broadcasting.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.lettuce.core.RedisClient;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.io.File;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import redis.embedded.RedisServer;

/** RedisExample against a real redis-server: Debian's when installed, else the embedded-redis artifact's. */
class RedisExampleTest {

  @Test
  void publishesTheEventInLaravelsFormatOnThePrefixedChannel() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    Path debian = Path.of("/usr/bin/redis-server");
    RedisServer redis = Files.isExecutable(debian) ? new RedisServer(port, debian.toFile()) : new RedisServer(port);
    redis.start();
    RedisClient client = RedisClient.create("redis://127.0.0.1:" + port);
    try (StatefulRedisPubSubConnection<String, String> subscriber = client.connectPubSub()) {
      BlockingQueue<String> received = new LinkedBlockingQueue<>();
      subscriber.addListener(new RedisPubSubAdapter<>() {
        @Override
        public void message(String channel, String message) {
          received.add(channel + " " + message);
        }
      });
      subscriber.sync().subscribe("app_prices");

      RedisExample.send(Map.of("REDIS_URL", "redis://127.0.0.1:" + port, "REDIS_PREFIX", "app_"));

      String message = received.poll(10, TimeUnit.SECONDS);
      assertThat(message).startsWith("app_prices ");
      ObjectMapper json = new ObjectMapper();
      assertThat(json.readTree(message.substring("app_prices ".length()))).isEqualTo(json.readTree(
          "{\"event\":\"PriceChanged\",\"data\":{\"symbol\":\"ACME\",\"price\":\"12.34\"},\"socket\":null}"));
    } finally {
      client.shutdown();
      redis.stop();
    }
  }
}
