package dev.broadcasting.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.broadcasting.BroadcastException;
import dev.broadcasting.server.App;
import dev.broadcasting.server.BroadcastServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * PusherExample against a self-hosted Pusher-compatible server (this project's own), with a
 * WebSocket client subscribed the way pusher-js subscribes: the server checks the HTTP API
 * signature, and the event must reach the socket.
 */
class PusherExampleTest {
  private final ObjectMapper json = new ObjectMapper();
  private final BlockingQueue<JsonNode> frames = new LinkedBlockingQueue<>();
  private BroadcastServer server;
  private WebSocket socket;

  @BeforeEach
  void start() throws Exception {
    server = BroadcastServer.builder().host("127.0.0.1").port(0)
        .app(App.builder("7", "example-key", "example-secret").build()).build().start();
    socket = HttpClient.newHttpClient().newWebSocketBuilder()
        .buildAsync(URI.create("ws://127.0.0.1:" + server.port() + "/app/example-key?protocol=7"), new Frames())
        .get(10, TimeUnit.SECONDS);
    assertThat(next().get("event").asText()).isEqualTo("pusher:connection_established");
    socket.sendText("{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":\"prices\"}}", true);
    assertThat(next().get("event").asText()).isEqualTo("pusher_internal:subscription_succeeded");
  }

  @AfterEach
  void stop() {
    socket.abort();
    server.close();
  }

  private Map<String, String> env(String secret) {
    return Map.of("PUSHER_APP_ID", "7", "PUSHER_APP_KEY", "example-key", "PUSHER_APP_SECRET", secret,
        "PUSHER_HOST", "127.0.0.1", "PUSHER_PORT", String.valueOf(server.port()), "PUSHER_SCHEME", "http");
  }

  @Test
  void theEventReachesASubscribedSocket() throws Exception {
    PusherExample.send(env("example-secret"));

    JsonNode event = next();
    assertThat(event.get("event").asText()).isEqualTo("PriceChanged");
    assertThat(event.get("channel").asText()).isEqualTo("prices");
    assertThat(json.readTree(event.get("data").asText()))
        .isEqualTo(json.readTree("{\"symbol\":\"ACME\",\"price\":\"12.34\"}"));
  }

  @Test
  void aWrongSecretIsRefusedByTheServerAndNothingArrives() throws Exception {
    assertThatThrownBy(() -> PusherExample.send(env("not-the-secret")))
        .isInstanceOf(CompletionException.class)
        .cause().isInstanceOf(BroadcastException.class)
        .satisfies(e -> assertThat(((BroadcastException) e).isRetryable()).isFalse());
    // The socket still works, and the refused event never came: the next frame is this pong.
    socket.sendText("{\"event\":\"pusher:ping\",\"data\":{}}", true);
    assertThat(next().get("event").asText()).isEqualTo("pusher:pong");
  }

  private JsonNode next() throws Exception {
    JsonNode frame = frames.poll(10, TimeUnit.SECONDS);
    assertThat(frame).as("a frame within 10 s").isNotNull();
    return frame;
  }

  private final class Frames implements WebSocket.Listener {
    private final StringBuilder partial = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        try {
          frames.add(json.readTree(partial.toString()));
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
        partial.setLength(0);
      }
      webSocket.request(1);
      return null;
    }
  }
}
