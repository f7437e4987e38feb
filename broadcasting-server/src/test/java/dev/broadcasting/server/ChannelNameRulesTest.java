package dev.broadcasting.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.broadcasting.BroadcastException;
import dev.broadcasting.Channel;
import dev.broadcasting.PrivateChannel;
import dev.broadcasting.spi.BroadcastDriver;
import dev.broadcasting.spi.BroadcastMessage;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The server speaks the Pusher protocol, so it keeps Pusher's channel alphabet, though core now
 * accepts Laravel names such as {@code chat:1} for the redis driver; and it takes socket ids as
 * the official SDKs do.
 */
class ChannelNameRulesTest {
  private static final String KEY = "278d425bdf160c739803";
  private static final String SECRET = "7ad3773142a6692b25b8";
  private static final String ALPHABET_ERROR =
      "has characters outside [-a-zA-Z0-9_=@,.;], the alphabet of Pusher channel names";

  private BroadcastServer server;

  @BeforeEach
  void start() {
    server = BroadcastServer.builder().host("127.0.0.1").port(0)
        .app(App.builder("3", KEY, SECRET).build()).build().start();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private HttpResponse<String> trigger(String channel, String socketId) throws Exception {
    var event = WsClient.JSON.createObjectNode().put("name", "Sent").put("channel", channel).put("data", "{}");
    if (socketId != null) {
      event.put("socket_id", socketId);
    }
    String body = WsClient.JSON.writeValueAsString(event);
    URI uri = HttpApiTest.signed(server.port(), "POST", "/apps/3/events", Map.of(), body, SECRET,
        System.currentTimeMillis() / 1000);
    return WsClient.HTTP.send(HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void theHttpApiRefusesANameOutsidePushersAlphabetAndTakesTheSdksSocketIds() throws Exception {
    HttpResponse<String> colon = trigger("chat:1", null);
    assertThat(colon.statusCode()).isEqualTo(400);
    assertThat(colon.body()).contains("channel name \\\"chat:1\\\" " + ALPHABET_ERROR);

    assertThat(trigger("chat.1", "123456789012345678901.1").statusCode()).isEqualTo(200);
    HttpResponse<String> garbage = trigger("chat.1", "1.2x");
    assertThat(garbage.statusCode()).isEqualTo(400);
    assertThat(garbage.body()).contains("socket_id is malformed; expected digits.digits such as 1234.5678");
  }

  @Test
  void aSubscriptionOutsidePushersAlphabetIsRefusedWithTheReason() throws Exception {
    try (WsClient client = WsClient.established(server.port(), KEY)) {
      client.subscribe("chat:1", null, null);
      JsonNode error = client.next("pusher:subscription_error");
      assertThat(error.get("data").get("error").asText()).isEqualTo("channel name \"chat:1\" " + ALPHABET_ERROR);
      assertThat(error.get("data").get("status").asInt()).isEqualTo(400);
    }
  }

  @Test
  void theServerDriverFailsSuchAnEventForGood() {
    BroadcastDriver driver = server.driver("3");
    CompletableFuture<Void> sent = driver.publish(BroadcastMessage.of("Sent", List.of(new PrivateChannel("chat:1")), "{}"));
    Throwable failure = sent.handle((ok, e) -> e).join();
    assertThat(failure).isInstanceOf(BroadcastException.class).hasMessageContaining(ALPHABET_ERROR);
    assertThat(((BroadcastException) failure).isRetryable()).isFalse();
    assertThat(driver.publish(BroadcastMessage.of("Sent", List.of(new Channel("chat.1")), "{}"))).isCompleted();
  }
}
