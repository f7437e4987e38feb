package dev.broadcasting.doctor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.broadcasting.BroadcastException;
import dev.broadcasting.Broadcaster;
import dev.broadcasting.doctor.Finding.Outcome;
import dev.broadcasting.redis.RedisServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Java API a health endpoint calls: every check of one configuration, in order. */
class DoctorTest {

  @Test
  void aHealthySetUpPassesEveryCheckInOrder() throws Exception {
    try (EmbeddedServer server = new EmbeddedServer();
        Broadcaster app = Broadcaster.builder().connection("server", server.server.driver("1")).build();
        AuthEndpoint auth = new AuthEndpoint(app)) {
      Map<String, String> settings = server.settings();
      settings.put("BROADCAST_DOCTOR_AUTH_URL", auth.url());
      settings.put("BROADCAST_DOCTOR_AUTH_HEADER", "Cookie: " + AuthEndpoint.COOKIE);
      settings.put("BROADCAST_DOCTOR_AUTH_CHANNEL", AuthEndpoint.CHANNEL);
      settings.put("BROADCAST_DOCTOR_PAGE_ORIGIN", "http://localhost:5173");

      Diagnosis diagnosis = Doctor.builder().settings(settings).broadcaster(app).timeout(Duration.ofSeconds(10))
          .build().run();

      assertThat(diagnosis.healthy()).isTrue();
      assertThat(diagnosis.findings()).extracting(Finding::outcome).containsOnly(Outcome.OK);
      assertThat(diagnosis.findings()).extracting(f -> f.check().split(" ")[0])
          .containsExactly("port", "port", "driver", "websocket", "cors", "auth", "auth", "events");
      assertThat(diagnosis.text().lines()).hasSize(8).allMatch(line -> line.startsWith("OK   "));
    }
  }

  /** The server down: every check that needs it fails, each naming the same fix, and the diagnosis is unhealthy. */
  @Test
  void aServerThatIsDownFailsEveryCheckThatNeedsIt() throws Exception {
    int port = RedisServer.freePort(false);

    Diagnosis diagnosis = Doctor.builder().settings(EmbeddedServer.settings(port)).timeout(Duration.ofSeconds(1))
        .build().run();

    assertThat(diagnosis.healthy()).isFalse();
    List<String> lines = diagnosis.text().lines().toList();
    assertThat(lines.get(0)).isEqualTo("FAIL port 127.0.0.1:" + port + " (Pusher HTTP API and WebSocket server) | saw: "
        + "connection refused at 127.0.0.1:" + port + ": nothing listens on that port | fix: start the Pusher HTTP API "
        + "and WebSocket server on 127.0.0.1:" + port + ", or correct PUSHER_HOST/PUSHER_PORT");
    assertThat(diagnosis.findings()).extracting(Finding::outcome)
        .containsExactly(Outcome.FAIL, Outcome.FAIL, Outcome.FAIL, Outcome.SKIP, Outcome.SKIP, Outcome.FAIL);
    assertThat(diagnosis.failures()).hasSize(4);
  }

  @Test
  void theLogDriverWarnsThatNoBrowserReceivesEvents() {
    Diagnosis diagnosis = Doctor.builder().settings(Map.of()).build().run();

    assertThat(diagnosis.healthy()).isTrue();
    assertThat(diagnosis.findings().get(0).line()).isEqualTo("WARN driver log | saw: events go to the log driver; no "
        + "browser receives them | fix: set BROADCAST_CONNECTION to pusher, server, redis or ably");
    assertThat(diagnosis.findings()).extracting(Finding::outcome)
        .containsExactly(Outcome.WARN, Outcome.SKIP, Outcome.SKIP, Outcome.SKIP, Outcome.SKIP);
  }

  @Test
  void settingsThatCannotBeReadAreNamedWhenBuilt() {
    assertThatThrownBy(() -> Doctor.builder().settings(Map.of("BROADCAST_DOCTOR_AUTH_HEADER", "session")).build())
        .isInstanceOf(BroadcastException.class)
        .hasMessageStartingWith("Setting BROADCAST_DOCTOR_AUTH_HEADER must be \"Name: value\"");
    assertThatThrownBy(() -> Doctor.builder().settings(Map.of("BROADCAST_DOCTOR_AUTH_URL", "localhost/auth")).build())
        .hasMessageStartingWith("Setting BROADCAST_DOCTOR_AUTH_URL must be a URL");
    assertThatThrownBy(() -> Doctor.builder().timeout(Duration.ZERO))
        .hasMessage("timeout must be positive but was PT0S");
    assertThatThrownBy(() -> Doctor.builder().settings(Map.of()).settings(Map.of()))
        .hasMessageStartingWith("settings were already set");
  }

  @Test
  void theAuthHeaderValueIsNeverShown() throws Exception {
    try (EmbeddedServer server = new EmbeddedServer()) {
      Map<String, String> settings = server.settings();
      settings.put("BROADCAST_DOCTOR_AUTH_URL", "http://127.0.0.1:" + RedisServer.freePort(false) + "/auth");
      settings.put("BROADCAST_DOCTOR_AUTH_HEADER", "Cookie: session=very-secret-value");

      Diagnosis diagnosis = Doctor.builder().settings(settings).timeout(Duration.ofSeconds(1)).build().run();

      assertThat(diagnosis.text()).doesNotContain("very-secret-value").doesNotContain(EmbeddedServer.SECRET)
          .contains("as the test user (Cookie)");
    }
  }
}
