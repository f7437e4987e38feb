package dev.broadcasting.redis;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.broadcasting.spi.BroadcastDriver;
import dev.broadcasting.kit.DriverCompatibilityKit;
import dev.broadcasting.kit.PeerFault;
import java.util.Optional;
import dev.broadcasting.spi.BroadcastMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Core's driver contract against a real redis-server, read back by a real subscriber that
 * PSUBSCRIBEs to everything. A prefix is configured, so every test also proves it is applied. The
 * driver reaches Redis through a {@link GatedProxy}, which cuts its connection for the transient
 * failure contracts.
 */
class RedisDriverCompatibilityTest extends DriverCompatibilityKit {
  /** The driver's builder (on its own publish socket); a subclass runs these tests through lettuce. */
  RedisBroadcastDriver.Builder driverBuilder() {
    return RedisBroadcastDriver.builder();
  }

  private static final String PREFIX = "kit_";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static RedisServer server;
  private static RedisSubscriber subscriber;
  private static GatedProxy proxy;

  @BeforeAll
  static void startRedis() throws Exception {
    server = RedisServer.start();
    subscriber = RedisSubscriber.pattern(server.port(), "*");
    proxy = new GatedProxy(server.port());
  }

  @AfterAll
  static void stopRedis() {
    if (proxy != null) {
      proxy.close();
    }
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
    proxy.open();
    return driverBuilder().uri("redis://127.0.0.1:" + proxy.port()).prefix(PREFIX).build();
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

  /**
   * The proxy cuts the driver's connection and refuses new ones until healed: the publish fails as
   * Redis out of reach. A batch is one EVAL, which Redis runs whole or not at all, so there is no
   * later request of a batch to fail.
   */
  @Override
  protected PeerFault failOnce(int afterRequests) {
    if (afterRequests > 0) {
      return PeerFault.impossible("the redis driver sends a batch as one EVAL script, which Redis runs whole"
          + " or not at all: no request of a batch follows another");
    }
    proxy.shut();
    return PeerFault.arranged(proxy::open);
  }

  /**
   * Redis runs every command it has read, even one whose client has given up on it: a PUBLISH that
   * Redis holds (CLIENT PAUSE, a slow script) and core abandons is still published later, beside
   * its retry. The driver cancels only what lettuce has not written yet.
   */
  @Override
  protected PeerFault holdNextRequest() {
    return PeerFault.impossible("Redis cannot drop a command it has read: a held PUBLISH that core abandons"
        + " is still run when Redis resumes, so a held request cannot end with one delivery");
  }
}
