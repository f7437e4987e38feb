package dev.broadcasting.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The standalone settings for slow and crowded connections: {@code --first-bytes-timeout},
 * {@code --request-headers-timeout}, {@code --request-body-timeout}, {@code --keep-alive-timeout},
 * {@code --max-opening-connections-per-address} and {@code --trusted-proxies}, read from flags,
 * variables and the configuration file and seen working on a started server.
 */
class ServerConnectionSettingsTest {
  private static final Map<String, String> ONE_APP =
      Map.of("PUSHER_APP_ID", "1", "PUSHER_APP_KEY", "app-key", "PUSHER_APP_SECRET", "app-secret");

  @TempDir
  Path dir;

  @Test
  void eachDeadlineFlagClosesItsSlowConnection() throws Exception {
    try (BroadcastServer server = start("--first-bytes-timeout", "100ms", "--request-headers-timeout", "100ms",
        "--request-body-timeout", "100ms", "--keep-alive-timeout", "100ms");
         Socket silent = connect(server);
         Socket halfHeaders = connect(server);
         Socket halfBody = connect(server);
         Socket keptAlive = connect(server)) {
      send(halfHeaders, "GET /health HTTP/1.1\r\nHost: x\r\n");
      send(halfBody, "POST /apps/1/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
          + "Content-Length: 10\r\n\r\n{");
      send(keptAlive, "GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
      assertThat(readUntilClosed(keptAlive)).startsWith("HTTP/1.1 200 OK");
      for (Socket socket : List.of(silent, halfHeaders, halfBody)) {
        readUntilClosed(socket);
      }
      assertThat(server.closedConnections())
          .extracting(ClosedConnections::firstBytes, ClosedConnections::requestHeaders,
              ClosedConnections::requestBody, ClosedConnections::keepAliveIdle)
          .containsExactly(1L, 1L, 1L, 1L);
    }
  }

  @Test
  void openingConnectionsPerAddressDefaultTo64() throws Exception {
    try (BroadcastServer server = start()) {
      assertThat(answered(server, open(server, 65), 1)).isEqualTo(64);
    }
  }

  @Test
  void theLimitRefusesAnAddressUnlessItIsATrustedProxy() throws Exception {
    try (BroadcastServer server = start("--max-opening-connections-per-address", "2")) {
      assertThat(answered(server, open(server, 3), 1)).isEqualTo(2);
    }
    try (BroadcastServer server = start("--max-opening-connections-per-address", "2",
        "--trusted-proxies", "::1, 127.0.0.1")) {
      assertThat(answered(server, open(server, 5), 0)).isEqualTo(5);
    }
  }

  @Test
  void variablesAndTheFileSetThemToo() throws Exception {
    Path config = Files.writeString(dir.resolve("server.json"), """
        {"host": "127.0.0.1", "port": 0, "max-opening-connections-per-address": 1, "first-bytes-timeout": "100ms",
         "apps": [{"id": "1", "key": "k", "secret": "s"}]}
        """);
    // the variable wins over the file's 1
    try (BroadcastServer server = BroadcastServerMain.builder(new String[] {"--config", config.toString()},
        Map.of("BROADCAST_SERVER_MAX_OPENING_CONNECTIONS_PER_ADDRESS", "3")).build().start()) {
      assertThat(answered(server, open(server, 4), 1)).isEqualTo(3);
      try (Socket silent = connect(server)) {
        readUntilClosed(silent);
        assertThat(server.closedConnections().firstBytes()).isEqualTo(1);
      }
    }
    try (BroadcastServer server = BroadcastServerMain.builder(new String[] {"--config", config.toString()},
        Map.of("BROADCAST_SERVER_TRUSTED_PROXIES", "127.0.0.1")).build().start()) {
      assertThat(answered(server, open(server, 3), 0)).isEqualTo(3);
    }
  }

  @Test
  void theHelpShowsEachDefault() {
    Map<String, String> defaults = Map.ofEntries(Map.entry("first-bytes-timeout", "default 5s"),
        Map.entry("request-headers-timeout", "default 10s"), Map.entry("request-body-timeout", "default 10s"),
        Map.entry("keep-alive-timeout", "default 30s"), Map.entry("max-opening-connections-per-address", "default 64"),
        Map.entry("trusted-proxies", "(default none)"), Map.entry("max-channels-per-connection", "default 100"),
        Map.entry("max-cache-channels", "default 10000"), Map.entry("webhook-batch-events", "default 20"),
        Map.entry("webhook-batch-window", "default 250ms"), Map.entry("webhook-concurrency", "default 2"),
        Map.entry("webhook-retry-for", "default 5m"), Map.entry("webhook-backlog-bytes", "default 1048576"));
    List<String> lines = BroadcastServerMain.usage().lines().toList();
    defaults.forEach((flag, shown) -> assertThat(lines).as("--help for --%s", flag)
        .anySatisfy(line -> assertThat(line).startsWith("  --" + flag + " ").contains(shown)));
  }

  @Test
  void aBadValueNamesWhatTheUserWrote() throws Exception {
    assertThatThrownBy(() -> BroadcastServerMain.builder(new String[] {"--first-bytes-timeout", "soon"}, ONE_APP))
        .hasMessage("Flag --first-bytes-timeout must be a duration such as 500ms, 5s or PT5S but was \"soon\"");
    assertThatThrownBy(() -> BroadcastServerMain.builder(new String[] {"--request-headers-timeout", "-1s"}, ONE_APP))
        .hasMessageStartingWith("Broadcast server settings are invalid: --request-headers-timeout must");
    assertThatThrownBy(() -> BroadcastServerMain.builder(new String[] {"--request-body-timeout=-5s"}, ONE_APP))
        .hasMessageStartingWith("Broadcast server settings are invalid: --request-body-timeout must");
    assertThatThrownBy(() -> BroadcastServerMain.builder(new String[] {"--keep-alive-timeout", "x"}, ONE_APP))
        .hasMessageStartingWith("Flag --keep-alive-timeout must be a duration");
    assertThatThrownBy(() -> BroadcastServerMain.builder(
        new String[] {"--max-opening-connections-per-address", "-1"}, ONE_APP))
        .hasMessage("Broadcast server settings are invalid: --max-opening-connections-per-address must be at least 0 "
            + "but was -1");
    assertThatThrownBy(() -> BroadcastServerMain.builder(new String[] {"--trusted-proxies", "10.0.0.5,nginx"}, ONE_APP))
        .hasMessage("Flag --trusted-proxies is invalid: Trusted proxy \"nginx\" is not an IP address; write it as "
            + "10.0.0.5 or ::1 (host names are not resolved)");
    Map<String, String> variable = new java.util.HashMap<>(ONE_APP);
    variable.put("BROADCAST_SERVER_KEEP_ALIVE_TIMEOUT", "-1s");
    assertThatThrownBy(() -> BroadcastServerMain.builder(new String[0], variable))
        .hasMessageStartingWith("Broadcast server settings are invalid: BROADCAST_SERVER_KEEP_ALIVE_TIMEOUT must");
    Path config = Files.writeString(dir.resolve("bad.json"),
        "{\"first-bytes-timeout\": \"-1s\", \"apps\": [{\"id\": \"1\", \"key\": \"k\", \"secret\": \"s\"}]}");
    assertThatThrownBy(() -> BroadcastServerMain.builder(new String[] {"--config", config.toString()}, Map.of()))
        .hasMessageStartingWith("Broadcast server settings are invalid: first-bytes-timeout must")
        .hasMessageEndingWith("(in " + config + ")");
    Path proxies = Files.writeString(dir.resolve("proxies.json"),
        "{\"trusted-proxies\": [\"proxy.local\"], \"apps\": [{\"id\": \"1\", \"key\": \"k\", \"secret\": \"s\"}]}");
    assertThatThrownBy(() -> BroadcastServerMain.builder(new String[] {"--config", proxies.toString()}, Map.of()))
        .hasMessageStartingWith("Key trusted-proxies is invalid: Trusted proxy \"proxy.local\" is not an IP address");
  }

  private static BroadcastServer start(String... flags) {
    List<String> args = new ArrayList<>(List.of("--host", "127.0.0.1", "--port", "0"));
    args.addAll(List.of(flags));
    return BroadcastServerMain.builder(args.toArray(String[]::new), ONE_APP).build().start();
  }

  /** {@code count} connections that have sent nothing yet. */
  private static List<Socket> open(BroadcastServer server, int count) throws IOException {
    List<Socket> sockets = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      sockets.add(connect(server));
    }
    return sockets;
  }

  /**
   * Once the server has refused {@code refused} of {@code sockets} (each refused when it arrived,
   * so all are then counted), how many of them answer a request.
   */
  private static int answered(BroadcastServer server, List<Socket> sockets, long refused) throws Exception {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (server.closedConnections().refusedOpeningPerAddress() < refused && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(server.closedConnections().refusedOpeningPerAddress()).isEqualTo(refused);
    int answered = 0;
    for (Socket socket : sockets) {
      try (socket) {
        send(socket, "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        answered += readUntilClosed(socket).startsWith("HTTP/1.1 200 OK") ? 1 : 0;
      } catch (java.net.SocketException closedByTheServer) {
        // refused: it was closed before the request went out
      }
    }
    return answered;
  }

  private static Socket connect(BroadcastServer server) throws IOException {
    Socket socket = new Socket("127.0.0.1", server.port());
    socket.setSoTimeout(10_000);
    return socket;
  }

  private static void send(Socket socket, String text) throws IOException {
    socket.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
    socket.getOutputStream().flush();
  }

  /** Everything the server sends until it closes the connection. */
  private static String readUntilClosed(Socket socket) throws IOException {
    InputStream in = socket.getInputStream();
    try {
      return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
    } catch (java.net.SocketException reset) {
      return "";
    }
  }
}
