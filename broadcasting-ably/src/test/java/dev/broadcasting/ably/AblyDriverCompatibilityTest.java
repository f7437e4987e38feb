package dev.broadcasting.ably;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.broadcasting.spi.BroadcastDriver;
import dev.broadcasting.kit.DriverCompatibilityKit;
import dev.broadcasting.Channel;
import java.util.Optional;
import dev.broadcasting.spi.BroadcastMessage;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Core's contract, against a MockWebServer playing Ably's REST API. Deliveries are read back from
 * the requests it received, with Ably channel names mapped back to the names broadcast on.
 */
class AblyDriverCompatibilityTest extends DriverCompatibilityKit {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static FakeAbly ably;
  private int seen;

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

  private List<Delivery> read() throws Exception {
    List<Delivery> out = new ArrayList<>();
    List<RecordedRequest> requests = ably.requests;
    for (RecordedRequest request : requests.subList(seen, requests.size())) {
      JsonNode body = JSON.readTree(request.getBody().utf8());
      String target = request.getTarget();
      if (target.equals("/messages")) {
        for (JsonNode channel : body.get("channels")) {
          for (JsonNode message : body.get("messages")) {
            out.add(delivery(channel.asText(), message));
          }
        }
      } else {
        String channel = URLDecoder.decode(target.substring("/channels/".length(), target.lastIndexOf("/messages")),
            StandardCharsets.UTF_8);
        for (JsonNode message : body) {
          out.add(delivery(channel, message));
        }
      }
    }
    return out;
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
}
