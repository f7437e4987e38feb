package dev.broadcasting.ably;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.broadcasting.spi.BroadcastDriver;
import dev.broadcasting.kit.DriverCompatibilityKit;
import dev.broadcasting.kit.PeerFault;
import dev.broadcasting.Channel;
import java.util.Optional;
import dev.broadcasting.spi.BroadcastMessage;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Core's contract, against a MockWebServer playing Ably's REST API. Deliveries are read back from
 * the requests it accepted, with Ably channel names mapped back to the names broadcast on, and a
 * message Ably already published under its idempotent id dropped as Ably drops it.
 */
class AblyDriverCompatibilityTest extends DriverCompatibilityKit {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static FakeAbly ably;
  private int seen;
  /** Requests the peer refused or held: Ably published none of them. */
  private final Set<RecordedRequest> refused = ConcurrentHashMap.newKeySet();

  @BeforeAll
  static void startServer() throws Exception {
    ably = FakeAbly.start();
  }

  @AfterAll
  static void stopServer() {
    ably.close();
  }

  @Override
  protected BroadcastDriver createDriver() {
    seen = ably.requests.size();
    ably.answer = request -> FakeAbly.created();
    return ably.driver().build();
  }

  @Override
  protected List<Delivery> awaitDeliveries(int count, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<Delivery> got = read();
    while (got.size() < count && System.nanoTime() < deadline) {
      Thread.sleep(10);
      got = read();
    }
    return got;
  }

  @Override
  protected String driverName() {
    return "ably";
  }

  /** Ably cannot leave out a pusher-js socket id; the driver ignores it. */
  @Override
  protected boolean deliversSocketId() {
    return false;
  }

  /** As Ably does (RSL1k), a message whose (channel, id) was published already is dropped. */
  private List<Delivery> read() throws Exception {
    List<Delivery> out = new ArrayList<>();
    Set<String> published = new HashSet<>();
    List<RecordedRequest> requests = ably.requests;
    for (RecordedRequest request : requests.subList(seen, requests.size())) {
      if (refused.contains(request)) {
        continue;
      }
      JsonNode body = JSON.readTree(request.getBody().utf8());
      String target = request.getTarget();
      if (target.equals("/messages")) {
        // a batch publish: one spec, or an array of them, each of messages to its channels
        for (JsonNode spec : body.isArray() ? body : List.of(body)) {
          for (JsonNode channel : spec.get("channels")) {
            publish(channel.asText(), spec.get("messages"), published, out);
          }
        }
      } else {
        publish(URLDecoder.decode(target.substring("/channels/".length(), target.lastIndexOf("/messages")),
            StandardCharsets.UTF_8), body, published, out);
      }
    }
    return out;
  }

  private static void publish(String channel, JsonNode messages, Set<String> published, List<Delivery> out) {
    for (JsonNode message : messages) {
      if (!message.has("id") || published.add(channel + " " + message.get("id").asText())) {
        out.add(delivery(channel, message));
      }
    }
  }

  private static Delivery delivery(String ablyChannel, JsonNode message) {
    if (!"json".equals(message.path("encoding").asText())) {
      throw new AssertionError("payload not sent as encoding json: " + message);
    }
    return new Delivery(pusherStyle(ablyChannel), message.get("name").asText(), message.get("data").asText(),
        message.has("connectionKey") ? message.get("connectionKey").asText() : null);
  }

  /** The inverse of Laravel's mapping: {@code private:x} → {@code private-x}, {@code public:x} → {@code x}. */
  private static String pusherStyle(String ablyChannel) {
    if (ablyChannel.startsWith("private:")) {
      return "private-" + ablyChannel.substring("private:".length());
    }
    if (ablyChannel.startsWith("presence:")) {
      return "presence-" + ablyChannel.substring("presence:".length());
    }
    if (ablyChannel.startsWith("public:")) {
      return ablyChannel.substring("public:".length());
    }
    throw new AssertionError("channel without an Ably namespace: " + ablyChannel);
  }

  /** Over Ably's message size limit. */
  @Override
  protected Optional<BroadcastMessage> unacceptableMessage() {
    return Optional.of(BroadcastMessage.of("Big", List.of(new Channel("kit.bad")),
        "{\"x\":\"" + "x".repeat(1024 * 1024) + "\"}"));
  }

  /** Laravel's AblyBroadcaster rule: {@code appId.keyId:hex(HMAC-SHA256(keySecret, socket_id:channel_name))}. */
  @Override
  protected String expectedPrivateAuth(String socketId, String channel) throws Exception {
    javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
    mac.init(new javax.crypto.spec.SecretKeySpec("keySecret".getBytes(java.nio.charset.StandardCharsets.UTF_8),
        "HmacSHA256"));
    byte[] digest = mac.doFinal((socketId + ":" + channel).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    return "{\"auth\":\"appId.keyId:" + java.util.HexFormat.of().formatHex(digest) + "\"}";
  }

  /** Ably answers 503 (error 50300) when it is briefly unavailable; the driver must retry it. */
  @Override
  protected PeerFault failOnce(int afterRequests) {
    AtomicInteger passed = new AtomicInteger();
    ably.answer = request -> {
      if (passed.getAndIncrement() != afterRequests) {
        return FakeAbly.created();
      }
      refused.add(request);
      return FakeAbly.error(503, 50300, "Service unavailable");
    };
    return PeerFault.arranged(() -> ably.answer = request -> FakeAbly.created());
  }

  /** The peer reads the request and says nothing until the client closes the connection. */
  @Override
  protected PeerFault holdNextRequest() {
    CountDownLatch abandoned = new CountDownLatch(1);
    AtomicInteger seenNow = new AtomicInteger();
    ably.answer = request -> {
      if (seenNow.getAndIncrement() > 0) {
        return FakeAbly.created();
      }
      refused.add(request);
      if (ably.sockets.awaitClientClose(request.getConnectionIndex(), TIMEOUT)) {
        abandoned.countDown();
      }
      return FakeAbly.error(504, 50400, "written to a closed connection: nobody reads it");
    };
    return PeerFault.held(timeout -> abandoned.await(timeout.toMillis(), TimeUnit.MILLISECONDS),
        () -> ably.answer = request -> FakeAbly.created());
  }
}
