package dev.broadcasting.server;

import static dev.broadcasting.server.TestSignatures.channelAuth;

import com.fasterxml.jackson.databind.JsonNode;
import dev.broadcasting.spi.BroadcastDriver;
import dev.broadcasting.kit.DriverCompatibilityKit;
import dev.broadcasting.kit.PeerFault;
import dev.broadcasting.Channel;
import java.util.Optional;
import dev.broadcasting.spi.BroadcastMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

/** The {@code server} driver against its real peer: a WebSocket client subscribed to the kit's channels. */
class ServerDriverCompatibilityTest extends DriverCompatibilityKit {
  static final String KEY = "kit-key";
  static final String SECRET = "kit-secret";
  private static final List<String> CHANNELS = List.of("private-kit.room.1", "kit.public", "private-kit.private",
      "presence-kit.presence", "kit.urgent", "kit.ordered", "kit.big", "kit.late",
      "kit.batch.even", "kit.batch.odd", "kit.cancel", "kit.close");

  private static BroadcastServer server;
  private WsClient peer;

  @BeforeAll
  static void startServer() {
    server = BroadcastServer.builder().host("127.0.0.1").port(0).app(App.builder("1", KEY, SECRET).build()).build().start();
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  @AfterEach
  void closePeer() {
    if (peer != null) {
      peer.close();
    }
  }

  @Override
  protected BroadcastDriver createDriver() throws Exception {
    peer = WsClient.established(server.port(), KEY);
    for (String channel : CHANNELS) {
      String data = channel.startsWith("presence-") ? "{\"user_id\":\"kit\"}" : null;
      String auth = channel.startsWith("private-") || channel.startsWith("presence-")
          ? channelAuth(KEY, SECRET, peer.socketId(), channel, data) : null;
      peer.subscribe(channel, auth, data);
      peer.next("pusher_internal:subscription_succeeded");
    }
    return server.driver("1");
  }

  @Override
  protected List<Delivery> awaitDeliveries(int count, Duration timeout) throws Exception {
    List<Delivery> got = new ArrayList<>();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (got.size() < count) {
      JsonNode message = peer.received.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      if (message == null) {
        break;
      }
      if (!message.path("event").asText().startsWith("pusher")) {
        got.add(new Delivery(message.get("channel").asText(), message.get("event").asText(),
            message.get("data").asText(), null));
      }
    }
    // anything more that arrives promptly is an extra delivery the kit must see
    got.addAll(peer.drain(100).stream().filter(m -> !m.path("event").asText().startsWith("pusher"))
        .map(m -> new Delivery(m.get("channel").asText(), m.get("event").asText(), m.get("data").asText(), null))
        .toList());
    return got;
  }

  static int serverPort() {
    return server.port();
  }

  @Override
  protected String driverName() {
    return "server";
  }

  /** Pusher clients never see the socket id an event left out; the kit checks the rest. */
  @Override
  protected boolean deliversSocketId() {
    return false;
  }

  /** Over the app's event payload limit. */
  @Override
  protected Optional<BroadcastMessage> unacceptableMessage() {
    return Optional.of(BroadcastMessage.of("Big", List.of(new Channel("kit.bad")),
        "{\"x\":\"" + "x".repeat(1024 * 1024) + "\"}"));
  }

  @Override
  protected String expectedPrivateAuth(String socketId, String channel) {
    return "{\"auth\":\"" + channelAuth(KEY, SECRET, socketId, channel, null) + "\"}";
  }

  /**
   * The server driver hands each event to the embedded server in the same JVM: without a cluster its
   * failures (the driver closed, a payload over the app's limit, a bad channel name) are all
   * permanent. Only a cluster out of reach is retryable, which needs broadcasting-server-redis.
   */
  @Override
  protected PeerFault failOnce(int afterRequests) {
    return PeerFault.impossible("the server driver publishes into the embedded server in the same JVM: with no cluster"
        + " configured there is no network between them, and its failures (closed, payload too large,"
        + " bad name) are permanent");
  }

  @Override
  protected PeerFault holdNextRequest() {
    return PeerFault.impossible("the server driver's publish completes once the event is queued on the"
        + " sockets' event loops: no request is sent that a peer could leave unanswered");
  }
}
