package dev.broadcasting.pusher;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.broadcasting.spi.BroadcastDriver;
import dev.broadcasting.kit.DriverCompatibilityKit;
import dev.broadcasting.kit.PeerFault;
import dev.broadcasting.pusher.protocol.JavaxHmac;
import dev.broadcasting.Channel;
import java.util.Optional;
import dev.broadcasting.spi.BroadcastMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import org.junit.jupiter.api.AfterEach;

/**
 * Core's contract against a MockWebServer standing in for Pusher: each request the peer received,
 * its signature checked, becomes one delivery per channel (or per batch item).
 */
class PusherDriverCompatibilityTest extends DriverCompatibilityKit {
  private PusherPeer peer;
  private PusherBroadcastDriver driver;
  private final List<Delivery> deliveries = new ArrayList<>();

  @Override
  protected BroadcastDriver createDriver() throws Exception {
    peer = new PusherPeer();
    driver = peer.driver().build();
    return driver;
  }

  @Override
  protected List<Delivery> awaitDeliveries(int count, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (deliveries.size() < count && System.nanoTime() < deadline) {
      PusherPeer.Received request = peer.poll(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
      if (request == null) {
        break;
      }
      assertThat(request.signatureValid()).as("signature of %s", request.path()).isTrue();
      if (request.status() != 200) {
        continue; // refused or held: Pusher delivers only what it accepted
      }
      JsonNode body = request.json();
      if (request.path().endsWith("/batch_events")) {
        for (JsonNode item : body.get("batch")) {
          deliveries.add(delivery(item.get("channel").asText(), item));
        }
      } else {
        assertThat(request.path()).isEqualTo("/apps/3/events");
        for (JsonNode channel : body.get("channels")) {
          deliveries.add(delivery(channel.asText(), body));
        }
      }
    }
    return List.copyOf(deliveries);
  }

  private static Delivery delivery(String channel, JsonNode event) {
    JsonNode socket = event.get("socket_id");
    return new Delivery(channel, event.get("name").asText(), event.get("data").asText(),
        socket == null ? null : socket.asText());
  }

  @Override
  protected String driverName() {
    return "pusher";
  }

  @AfterEach
  void stopPeer() {
    broadcaster.close();
    driver.close();
    peer.close();
  }

  /** Pusher takes event names of at most 200 characters. */
  @Override
  protected Optional<BroadcastMessage> unacceptableMessage() {
    return Optional.of(BroadcastMessage.of("e".repeat(201), List.of(new Channel("kit.bad")), "{}"));
  }

  /** Pusher's documented rule: {@code key:hex(HMAC-SHA256(secret, socket_id:channel_name))}. */
  @Override
  protected String expectedPrivateAuth(String socketId, String channel) {
    return "{\"auth\":\"" + peer.key + ":" + JavaxHmac.hex(peer.secret, socketId + ":" + channel) + "\"}";
  }

  /** Each test's MockWebServer is started with the driver and stopped after the test. */
  @Override
  protected boolean isPeerThread(Thread thread) {
    return thread.getName().startsWith("MockWebServer");
  }

  /** Pusher answers 503 when it is briefly over capacity; the driver must retry it. */
  @Override
  protected PeerFault failOnce(int afterRequests) {
    for (int i = 0; i < afterRequests; i++) {
      peer.answer(200, "{}");
    }
    peer.answer(503, "Service Unavailable");
    return PeerFault.arranged(peer::forgetAnswers);
  }

  /** The peer reads the request and says nothing until the client closes the connection. */
  @Override
  protected PeerFault holdNextRequest() {
    CountDownLatch abandoned = new CountDownLatch(1);
    peer.answer(request -> {
      if (peer.sockets.awaitClientClose(request.getConnectionIndex(), TIMEOUT)) {
        abandoned.countDown();
      }
      return new MockResponse.Builder().code(504).build(); // written to a closed connection: nobody reads it
    });
    return PeerFault.held(timeout -> abandoned.await(timeout.toMillis(), TimeUnit.MILLISECONDS), peer::forgetAnswers);
  }
}
