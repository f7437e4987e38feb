package dev.broadcasting.doctor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.broadcasting.Broadcaster;
import dev.broadcasting.doctor.Finding.Outcome;
import dev.broadcasting.redis.RedisServer;
import dev.broadcasting.spi.BroadcastDriver;
import dev.broadcasting.spi.BroadcastMessage;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** A probe event through the queue and back on a probe subscription: the WebSocket, or Redis SUBSCRIBE. */
class EventFlowCheckTest {
  // generous: a check returns as soon as it has its answer, and a loaded machine must not fail it
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  @Test
  void theApplicationsOwnBroadcasterDeliversToThePagesWebSocket() {
    try (EmbeddedServer server = new EmbeddedServer();
        Broadcaster app = Broadcaster.builder().connection("server", server.server.driver("1")).build()) {
      Finding finding = events(Doctor.builder().settings(server.settings()).broadcaster(app).timeout(TIMEOUT));

      assertThat(finding.outcome()).isEqualTo(Outcome.OK);
      assertThat(finding.check()).matches("events BroadcastingDoctorProbe on broadcasting-doctor\\.[0-9a-f]{16} "
          + "through the queue to the page's WebSocket ws://127\\.0\\.0\\.1:" + server.port());
      assertThat(finding.saw()).matches("the probe came back in \\d+ ms");
    }
  }

  @Test
  void withoutABroadcasterTheDoctorPublishesThroughTheServersHttpApi() {
    try (EmbeddedServer server = new EmbeddedServer()) {
      Finding finding = events(Doctor.builder().settings(server.settings()).timeout(TIMEOUT));

      assertThat(finding.outcome()).isEqualTo(Outcome.OK);
    }
  }

  /** A driver that takes the event and never answers: the queue holds it, and the doctor says so. */
  @Test
  void aStalledQueueIsNamed() {
    List<BroadcastMessage> taken = new CopyOnWriteArrayList<>();
    BroadcastDriver stalled = message -> {
      taken.add(message);
      return new CompletableFuture<>();
    };
    try (EmbeddedServer server = new EmbeddedServer();
        Broadcaster app = Broadcaster.builder().connection("server", stalled).drainTimeout(Duration.ZERO).build()) {
      Finding finding = events(Doctor.builder().settings(server.settings()).broadcaster(app)
          .timeout(Duration.ofSeconds(2)));

      assertThat(finding.outcome()).isEqualTo(Outcome.FAIL);
      assertThat(finding.saw()).isEqualTo("the probe is still queued after 2000 ms (queue depth 1): the driver has "
          + "not answered");
      assertThat(finding.fix()).startsWith("the queue is not draining: mend the driver and port lines above");
      assertThat(taken).hasSize(1);
      assertThat(taken.get(0).event()).isEqualTo("BroadcastingDoctorProbe");
    }
  }

  @Test
  void aProbeAcceptedByAnotherServerIsNamed() {
    try (EmbeddedServer page = new EmbeddedServer(); EmbeddedServer other = new EmbeddedServer();
        Broadcaster app = Broadcaster.builder().connection("server", other.server.driver("1")).build()) {
      Finding finding = events(Doctor.builder().settings(page.settings()).broadcaster(app)
          .timeout(Duration.ofSeconds(2)));

      assertThat(finding.outcome()).isEqualTo(Outcome.FAIL);
      assertThat(finding.saw()).isEqualTo("the driver accepted the probe, but it did not arrive within 2000 ms");
      assertThat(finding.fix()).startsWith("the application publishes to another server, app or prefix than the page");
    }
  }

  @Test
  void aDriverThatRefusesTheProbeIsQuoted() {
    try (EmbeddedServer server = new EmbeddedServer()) {
      Map<String, String> settings = server.settings();
      settings.put("PUSHER_APP_SECRET", "not-the-secret");
      // the page still connects with the right key: only the publishing side is broken
      Finding finding = events(Doctor.builder().settings(settings).timeout(TIMEOUT));

      assertThat(finding.outcome()).isEqualTo(Outcome.FAIL);
      assertThat(finding.saw()).startsWith("the driver refused the probe: ")
          .contains("Pusher answered 401 to POST /apps/1/events");
    }
  }

  @Test
  void theRedisDriverDeliversToASubscriber() throws Exception {
    try (RedisServer redis = RedisServer.start()) {
      Map<String, String> settings = new HashMap<>(Map.of("BROADCAST_CONNECTION", "redis",
          "REDIS_URL", "redis://127.0.0.1:" + redis.port(), "REDIS_PREFIX", "laravel_database_"));

      Finding finding = events(Doctor.builder().settings(settings).timeout(TIMEOUT));

      assertThat(finding.outcome()).isEqualTo(Outcome.OK);
      assertThat(finding.check()).endsWith("through the queue to SUBSCRIBE on Redis 127.0.0.1:" + redis.port());
    }
  }

  private static Finding events(Doctor.Builder doctor) {
    List<Check> checks = doctor.build().checks();
    Finding finding = checks.get(checks.size() - 1).run();
    assertThat(finding.check()).startsWith("events");
    return finding;
  }
}
