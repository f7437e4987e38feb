package dev.broadcasting.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.broadcasting.server.App;
import dev.broadcasting.server.BroadcastServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class BroadcastServerMetricsTest {

  @Test
  void gaugesTheOpenConnectionsOfEachApp() throws Exception {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    try (BroadcastServer server = BroadcastServer.builder().host("127.0.0.1").port(0)
        .app(App.builder("1", "app-key", "app-secret").build()).build().start()) {
      new BroadcastServerMetrics(server).bindTo(meters);
      assertThat(meters.get("broadcasting.server.connections").tag("app", "1").gauge().value()).isEqualTo(0.0);

      CompletableFuture<CharSequence> established = new CompletableFuture<>();
      WebSocket socket = HttpClient.newHttpClient().newWebSocketBuilder()
          .buildAsync(URI.create("ws://127.0.0.1:" + server.port() + "/app/app-key?protocol=7"),
              new WebSocket.Listener() {
                @Override
                public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                  established.complete(data);
                  return null;
                }
              })
          .get(10, TimeUnit.SECONDS);
      assertThat(established.get(10, TimeUnit.SECONDS).toString()).contains("pusher:connection_established");

      assertThat(meters.get("broadcasting.server.connections").tag("app", "1").gauge().value()).isEqualTo(1.0);
      socket.abort();
    }
  }
}
