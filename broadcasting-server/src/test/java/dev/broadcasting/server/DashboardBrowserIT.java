package dev.broadcasting.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The dashboard end to end: Debian's headless chromium driven by playwright-core
 * (src/test/js/dashboard-e2e.mjs) logs in, watches a real pusher-js client connect, subscribe and
 * get refused, sends it a test event from the form, and sees a webhook in the log. Then nothing the
 * page showed, no answer it read and no log line of the server holds the app's secret or the
 * operator's password. Fails, never skips, when chromium is missing: .ci/setup.d/30-examples.sh
 * installs it. An integration test: it runs in {@code verify}, after the unit tests.
 */
@Tag("integration")
class DashboardBrowserIT {
  private static final String SECRET = "browser-test-secret-5d8e1b";
  private static final String PASSWORD = "operator-password-c4a7f2";

  @Test
  void anOperatorWatchesAClientAndSendsItATestEvent() throws Exception {
    String chromium = System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium");
    assertThat(Path.of(chromium)).as("no chromium at %s; install Debian's chromium (.ci/setup.d/30-examples.sh) "
        + "or set CHROMIUM to a Chromium binary", chromium).isExecutable();
    HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.createContext("/hooks", exchange -> {
      exchange.getRequestBody().readAllBytes();
      exchange.sendResponseHeaders(200, -1);
      exchange.close();
    });
    receiver.start();
    PrintStream err = System.err;
    ByteArrayOutputStream logs = new ByteArrayOutputStream();
    // slf4j-simple writes to whatever System.err is at each line: keep a copy of the server's log
    System.setErr(new PrintStream(new TeeStream(err, logs), true, StandardCharsets.UTF_8));
    List<String> checks = new ArrayList<>();
    JsonNode seen;
    try (BroadcastServer server = BroadcastServer.builder().host("127.0.0.1").port(0).dashboard("operator", PASSWORD)
        .app(App.builder("1", "app-key", SECRET)
            .webhook(URI.create("http://127.0.0.1:" + receiver.getAddress().getPort() + "/hooks")).build())
        .build().start();
        NodeScripts node = NodeScripts.start(Map.of("PORT", String.valueOf(server.port()), "KEY", "app-key",
            "USER", "operator", "PASSWORD", PASSWORD, "CHROMIUM", chromium,
            "SCREENSHOT", Path.of("target/dashboard.png").toAbsolutePath().toString()), "dashboard-e2e.mjs")) {
      for (int i = 0; i < 8; i++) {
        checks.add(node.next("ok", 60).path("check").asText());
      }
      seen = node.next("seen", 30);
    } finally {
      System.setErr(err);
      receiver.stop(0);
    }
    assertThat(checks).containsExactly(
        "a wrong password is refused",
        "logged in, the page follows app 1 live",
        "the client's connection and subscription appear: log, channels, connections chart",
        "the socket id shows the connection's subscriptions",
        "a test event sent from the form reaches the client, and the log shows it published",
        "the auth refusal shows in the log with its reason",
        "a webhook sent shows in the log",
        "the log filters by kind and by channel");

    String html = seen.path("html").asText();
    assertThat(html).contains("private-orders", "test-event");
    assertThat(seen.path("answers")).isNotEmpty();
    String log = logs.toString(StandardCharsets.UTF_8);
    assertThat(log).contains("Dashboard login refused from", "Dashboard login from");
    for (String secret : List.of(SECRET, PASSWORD)) {
      assertThat(html).doesNotContain(secret);
      seen.path("answers").forEach(answer -> assertThat(answer.asText()).doesNotContain(secret));
      assertThat(log).doesNotContain(secret);
    }
    for (String file : List.of("index.html", "dashboard.js", "dashboard.css")) {
      assertThat(Files.readString(Path.of("src/main/resources/dev/broadcasting/server/dashboard", file)))
          .doesNotContain(SECRET);
    }
  }

  /** Writes to both streams. */
  private static final class TeeStream extends java.io.OutputStream {
    private final java.io.OutputStream first;
    private final java.io.OutputStream second;

    TeeStream(java.io.OutputStream first, java.io.OutputStream second) {
      this.first = first;
      this.second = second;
    }

    @Override
    public synchronized void write(int b) throws java.io.IOException {
      first.write(b);
      second.write(b);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) throws java.io.IOException {
      first.write(b, off, len);
      second.write(b, off, len);
    }
  }
}
