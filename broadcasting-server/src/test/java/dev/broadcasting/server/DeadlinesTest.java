package dev.broadcasting.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.broadcasting.Channel;
import dev.broadcasting.spi.BroadcastMessage;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A connection that is not yet a live Pusher connection, or idles between HTTP requests, is
 * closed at its deadline and counted; one address cannot hold many opening connections. The
 * deadlines here are short and set by the test (they run on the server's real event-loop timers).
 */
class DeadlinesTest {
  private static final Duration DEADLINE = Duration.ofMillis(300);

  private BroadcastServer server;
  private final List<Socket> sockets = new ArrayList<>();

  private BroadcastServer start(BroadcastServer.Builder builder) {
    server = builder.host("127.0.0.1").port(0).app(App.builder("1", "key", "secret").build()).build().start();
    return server;
  }

  private BroadcastServer startWithShortDeadlines() {
    return start(BroadcastServer.builder().firstBytesTimeout(DEADLINE).requestHeadersTimeout(DEADLINE)
        .requestBodyTimeout(DEADLINE).keepAliveTimeout(DEADLINE));
  }

  @AfterEach
  void stop() throws IOException {
    for (Socket socket : sockets) {
      socket.close();
    }
    if (server != null) {
      server.close();
    }
  }

  private Socket connect(String from) throws IOException {
    Socket socket = new Socket();
    sockets.add(socket);
    socket.bind(new InetSocketAddress(from, 0));
    socket.connect(new InetSocketAddress("127.0.0.1", server.port()));
    socket.setSoTimeout(10_000);
    return socket;
  }

  private static void send(Socket socket, String text) throws IOException {
    socket.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
    socket.getOutputStream().flush();
  }

  /**
   * Reads until the server closes the connection; returns the milliseconds since {@code startNanos},
   * taken before the connection was opened, so that it is never shorter than the server's wait.
   */
  private static long millisUntilClosed(Socket socket, long startNanos) throws IOException {
    InputStream in = socket.getInputStream();
    try {
      while (in.read() >= 0) {
        // whatever the server answered before closing
      }
    } catch (java.net.SocketException reset) {
      // closed with a reset: closed all the same
    }
    return (System.nanoTime() - startNanos) / 1_000_000;
  }

  private static void assertClosedAtTheDeadline(long millis) {
    assertThat(millis).as("closed at the deadline, not before").isGreaterThanOrEqualTo(DEADLINE.toMillis())
        .as("closed at the deadline, not much later").isLessThan(5_000);
  }

  /** What a slow client sent before it fell silent, and the stage whose deadline closes it. */
  static Stream<Arguments> slowClients() {
    return Stream.of(
        Arguments.of("nothing", "", new ClosedConnections(1, 0, 0, 0, 0)),
        Arguments.of("half a request line", "GET /app/key?proto", new ClosedConnections(0, 1, 0, 0, 0)),
        Arguments.of("headers and half a body",
            "POST /apps/1/events HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"name\":",
            new ClosedConnections(0, 0, 1, 0, 0)));
  }

  @ParameterizedTest(name = "closes a connection that sent {0}")
  @MethodSource("slowClients")
  void closesASlowConnectionAtItsDeadline(String what, String sent, ClosedConnections expected) throws Exception {
    startWithShortDeadlines();
    long start = System.nanoTime();
    Socket slow = connect("127.0.0.1");
    send(slow, sent);
    assertClosedAtTheDeadline(millisUntilClosed(slow, start));
    assertThat(server.closedConnections()).isEqualTo(expected);
  }

  @Test
  void closesAKeptAliveConnectionThatIdlesAfterItsAnswer() throws Exception {
    startWithShortDeadlines();
    long start = System.nanoTime();
    Socket idle = connect("127.0.0.1");
    send(idle, "GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
    byte[] answer = new byte[17];
    new java.io.DataInputStream(idle.getInputStream()).readFully(answer);
    assertThat(new String(answer, StandardCharsets.US_ASCII)).isEqualTo("HTTP/1.1 200 OK\r\n");
    assertClosedAtTheDeadline(millisUntilClosed(idle, start));
    assertThat(server.closedConnections()).isEqualTo(new ClosedConnections(0, 0, 0, 1, 0));
  }

  /** Once upgraded, the opening deadlines are gone: the Pusher ping and 4201 close watch the socket. */
  @Test
  void leavesAnUpgradedSocketToTheActivityTimeout() throws Exception {
    start(BroadcastServer.builder().firstBytesTimeout(DEADLINE).requestHeadersTimeout(DEADLINE)
        .requestBodyTimeout(DEADLINE).keepAliveTimeout(DEADLINE)
        .activityTimeout(Duration.ofSeconds(1)).pongTimeout(Duration.ofSeconds(1)));
    long start = System.nanoTime();
    try (RawClient silent = RawClient.connect(server.port(), "/app/key?protocol=7")) {
      assertThat(silent.read().get("event").asText()).isEqualTo("pusher:connection_established");
      assertThat(silent.read().get("event").asText()).isEqualTo("pusher:ping");
      assertThat(silent.awaitCloseCode()).isEqualTo(4201);
      assertThat((System.nanoTime() - start) / 1_000_000).as("the activity timeout, then the pong timeout").isGreaterThanOrEqualTo(2_000);
    }
    assertThat(server.closedConnections()).isEqualTo(new ClosedConnections(0, 0, 0, 0, 0));
  }

  /**
   * 2,000 half-open sockets from 127.0.0.2: all but 64 are refused at once, and a real pusher-js
   * client from 127.0.0.1 connects, subscribes and receives meanwhile.
   */
  @Test
  void halfOpenSocketsFromOneAddressDoNotStopARealClient() throws Exception {
    start(BroadcastServer.builder());
    for (int i = 0; i < 2_000; i++) {
      connect("127.0.0.2");
    }
    awaitEquals(() -> server.closedConnections().refusedOpeningPerAddress(), 2_000L - 64);
    try (NodeScripts node = NodeScripts.start(Map.of("PORT", Integer.toString(server.port()), "KEY", "key",
        "AUTH_URL", "http://127.0.0.1:1/unused"), "scenarios.mjs", "public")) {
      node.next("ready");
      server.driver("1").publish(BroadcastMessage.of("Posted", List.of(new Channel("news")), "{\"id\":1}")).join();
      JsonNode event = node.next("event");
      assertThat(event.get("data").toString()).isEqualTo("{\"id\":1}");
    }
    assertThat(server.closedConnections().refusedOpeningPerAddress()).isEqualTo(2_000L - 64);
  }

  private static <T> void awaitEquals(Supplier<T> value, T expected) throws InterruptedException {
    for (int i = 0; i < 400 && !value.get().equals(expected); i++) {
      Thread.sleep(25);
    }
    assertThat(value.get()).isEqualTo(expected);
  }
}
