package dev.broadcasting.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.broadcasting.BroadcastException;
import dev.broadcasting.Broadcaster;
import dev.broadcasting.Channel;
import java.net.ServerSocket;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The {@code server} driver found by name, from Laravel-style settings, and the standalone main's flags. */
class ServerDriverProviderTest {

  @Test
  void publishesIntoTheServerThisJvmAlreadyRuns() throws Exception {
    try (BroadcastServer server = BroadcastServer.builder().host("127.0.0.1").port(0)
        .app(App.builder("77", "k77", "s77").build()).build().start();
        WsClient client = WsClient.established(server.port(), "k77");
        Broadcaster broadcaster = Broadcaster.fromMap(Map.of("BROADCAST_CONNECTION", "server",
            "PUSHER_APP_ID", "77", "PUSHER_APP_KEY", "k77", "PUSHER_APP_SECRET", "s77"))) {
      client.subscribe("orders", null, null);
      client.next("pusher_internal:subscription_succeeded");
      broadcaster.on(new Channel("orders")).as("Placed").with(Map.of("id", 1)).send().join();
      assertThat(client.next("Placed").get("data").asText()).isEqualTo("{\"id\":1}");
      assertThat(broadcaster.authSigner().signPrivate("1.2", "private-a"))
          .isEqualTo("{\"auth\":\"k77:" + TestSignatures.hmacHex("s77", "1.2:private-a") + "\"}");
    }
  }

  @Test
  void startsItsOwnServerFromSettingsAndStopsItOnClose() throws Exception {
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    }
    Broadcaster broadcaster = Broadcaster.fromMap(Map.of("BROADCAST_CONNECTION", "server",
        "PUSHER_APP_ID", "78", "PUSHER_APP_KEY", "k78", "PUSHER_APP_SECRET", "s78",
        "BROADCAST_SERVER_HOST", "127.0.0.1", "BROADCAST_SERVER_PORT", Integer.toString(port)));
    try (WsClient client = WsClient.established(port, "k78")) {
      client.subscribe("news", null, null);
      client.next("pusher_internal:subscription_succeeded");
      broadcaster.on(new Channel("news")).as("Hi").with(Map.of()).send().join();
      assertThat(client.next("Hi").get("data").asText()).isEqualTo("{}");
      broadcaster.close();
      assertThat(client.awaitClose()).isNotNegative();
    }
    try (ServerSocket again = new ServerSocket(port)) {
      assertThat(again.getLocalPort()).isEqualTo(port);
    }
  }

  @Test
  void namesTheMissingSetting() {
    assertThatThrownBy(() -> Broadcaster.fromMap(Map.of("BROADCAST_CONNECTION", "server", "PUSHER_APP_ID", "79",
        "PUSHER_APP_KEY", "k79", "BROADCAST_SERVER_PORT", "0")))
        .isInstanceOf(BroadcastException.class).hasMessageContaining("PUSHER_APP_SECRET");
  }

  @Test
  void mainReadsFlagsOverTheEnvironment() {
    var settings = BroadcastServerMain.settings(new String[] {"--port", "7001", "--app-key=flag-key"},
        Map.of("PUSHER_APP_KEY", "env-key", "PUSHER_APP_ID", "1"));
    assertThat(settings.get("BROADCAST_SERVER_PORT")).isEqualTo("7001");
    assertThat(settings.get("PUSHER_APP_KEY")).isEqualTo("flag-key");
    assertThat(settings.get("PUSHER_APP_ID")).isEqualTo("1");
    assertThatThrownBy(() -> BroadcastServerMain.settings(new String[] {"--prot", "1"}, Map.of()))
        .hasMessageContaining("--prot");
  }
}
