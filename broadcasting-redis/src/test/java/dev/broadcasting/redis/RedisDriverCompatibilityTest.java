package dev.broadcasting.redis;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.broadcasting.spi.BroadcastDriver;
import dev.broadcasting.kit.DriverCompatibilityKit;
import java.util.Optional;
import dev.broadcasting.spi.BroadcastMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Core's driver contract against a real redis-server, read back by a real subscriber that
 * PSUBSCRIBEs to everything. A prefix is configured, so every test also proves it is applied.
 */
class RedisDriverCompatibilityTest extends DriverCompatibilityKit {
  private static final String PREFIX = "kit_";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static RedisServer server;
  private static RedisSubscriber subscriber;

  @BeforeAll
  static void startRedis() throws Exception {
    server = RedisServer.start();
    subscriber = RedisSubscriber.pattern(server.port(), "*");
  }

  @AfterAll
  static void stopRedis() {
    if (subscriber != null) {
      subscriber.close();
    }
    if (server != null) {
      server.close();
    }
  }

  @Override
  protected BroadcastDriver createDriver() {
    subscriber.clear();
    return RedisBroadcastDriver.builder().uri(server.uri()).prefix(PREFIX).build();
  }

  @Override
  protected List<Delivery> awaitDeliveries(int count, Duration timeout) throws Exception {
    subscriber.await(count, timeout);
    List<Delivery> deliveries = new ArrayList<>();
    for (RedisSubscriber.Received received : subscriber.settle(server.port())) {
      if (!received.channel().startsWith(PREFIX)) {
        throw new AssertionError("message on " + received.channel() + " lacks the prefix " + PREFIX);
      }
      JsonNode message = JSON.readTree(received.body());
      if (message.size() != 3) {
        throw new AssertionError("expected exactly event, data and socket but got " + received.text());
      }
      JsonNode socket = message.get("socket");
      deliveries.add(new Delivery(received.channel().substring(PREFIX.length()), message.get("event").asText(),
          message.get("data").toString(), socket.isNull() ? null : socket.asText()));
    }
    return deliveries;
  }

  @Override
  protected String driverName() {
    return "redis";
  }

  /** Redis takes a message of any size: the kit checks a large one arrives whole instead. */
  @Override
  protected Optional<BroadcastMessage> unacceptableMessage() {
    return Optional.empty();
  }

  /** laravel-echo-server's answer: it only needs to know the app allowed the user. */
  @Override
  protected String expectedPrivateAuth(String socketId, String channel) {
    return "true";
  }
}
