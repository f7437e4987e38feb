package dev.broadcasting.doctor;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.broadcasting.doctor.Finding.Outcome;
import dev.broadcasting.doctor.internal.FrontEnd;
import dev.broadcasting.doctor.internal.WebSocketCheck;
import dev.broadcasting.redis.RedisServer;
import dev.broadcasting.spi.DriverSettings;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class WebSocketCheckTest {
  // generous: a check returns as soon as it has its answer, and a loaded machine must not fail it
  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
  private static EmbeddedServer server;

  @BeforeAll
  static void start() {
    server = new EmbeddedServer();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void theRightKeyGetsConnectionEstablished() {
    Finding finding = check(Map.of()).run();

    assertThat(finding.outcome()).isEqualTo(Outcome.OK);
    assertThat(finding.check()).isEqualTo("websocket ws://127.0.0.1:" + server.port() + "/app/app-key");
    assertThat(finding.saw()).matches("pusher:connection_established, socket_id \\d+\\.\\d+");
  }

  @Test
  void aWrongKeyIsError4001() {
    Finding finding = check(Map.of("VITE_PUSHER_APP_KEY", "wrong-key")).run();

    assertThat(finding.line()).isEqualTo("FAIL websocket ws://127.0.0.1:" + server.port() + "/app/wrong-key | saw: "
        + "pusher:error 4001 \"App key wrong-key does not exist on this server\" | fix: the server at 127.0.0.1:"
        + server.port() + " has no app with key \"wrong-key\": set VITE_PUSHER_APP_KEY (Echo's key) to the "
        + "PUSHER_APP_KEY of the app it serves");
  }

  @Test
  void aWrongPortIsRefused() throws Exception {
    int port = RedisServer.freePort(false);

    Finding finding = check(Map.of("VITE_PUSHER_PORT", String.valueOf(port))).run();

    assertThat(finding.outcome()).isEqualTo(Outcome.FAIL);
    assertThat(finding.saw()).isEqualTo("connection refused at 127.0.0.1:" + port + ": nothing listens on that port");
    assertThat(finding.fix()).isEqualTo("start the WebSocket server on 127.0.0.1:" + port
        + ", or correct VITE_PUSHER_HOST/VITE_PUSHER_PORT");
  }

  @Test
  void aPortThatDropsPacketsIsAFirewallNotARefusal() throws Exception {
    try (DroppingPort dropping = new DroppingPort()) {
      Map<String, String> page = Map.of("VITE_PUSHER_PORT", String.valueOf(dropping.port()));

      Finding finding = new WebSocketCheck(FrontEnd.read(DriverSettings.of(with(page))), HTTP,
          Duration.ofMillis(300)).run();

      assertThat(finding.saw()).isEqualTo("no answer from 127.0.0.1:" + dropping.port() + " within 300 ms");
      assertThat(finding.fix()).startsWith("open port " + dropping.port() + " in the firewall");
    }
  }

  @Test
  void wssAgainstAPlainServerIsATlsMismatch() {
    Finding finding = check(Map.of("VITE_PUSHER_SCHEME", "https")).run();

    assertThat(finding.line()).isEqualTo("FAIL websocket wss://127.0.0.1:" + server.port() + "/app/app-key | saw: "
        + "the page uses wss:// but 127.0.0.1:" + server.port() + " speaks plain ws:// | fix: set "
        + "VITE_PUSHER_SCHEME=http (Echo forceTLS: false), or terminate TLS in front of the server");
  }

  @Test
  void aPortServingSomethingElseSaysSo() throws Exception {
    HttpServer web = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    web.start();
    try {
      int port = web.getAddress().getPort();

      Finding finding = check(Map.of("VITE_PUSHER_PORT", String.valueOf(port))).run();

      assertThat(finding.outcome()).isEqualTo(Outcome.FAIL);
      assertThat(finding.saw()).isEqualTo("HTTP 404 instead of a WebSocket upgrade at 127.0.0.1:" + port
          + ": something other than a Pusher-protocol server answers there");
    } finally {
      web.stop(0);
    }
  }

  private static WebSocketCheck check(Map<String, String> page) {
    return new WebSocketCheck(FrontEnd.read(DriverSettings.of(with(page))), HTTP, TIMEOUT);
  }

  private static Map<String, String> with(Map<String, String> page) {
    Map<String, String> settings = server.settings();
    settings.putAll(page);
    return settings;
  }
}
