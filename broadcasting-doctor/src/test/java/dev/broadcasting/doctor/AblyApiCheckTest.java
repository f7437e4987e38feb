package dev.broadcasting.doctor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.broadcasting.doctor.Finding.Outcome;
import dev.broadcasting.doctor.internal.AblyApiCheck;
import dev.broadcasting.redis.RedisServer;
import dev.broadcasting.spi.DriverSettings;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.Test;

/** Ably's REST API, played by MockWebServer. */
class AblyApiCheckTest {
  // generous: a check returns as soon as it has its answer, and a loaded machine must not fail it
  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final String KEY = "xVLyHw.DQrNxQ:uNEjrIoFd6sdb9Ye";

  @Test
  void theKeyIsSentWithBasicAuthOnAnAuthenticatedEndpoint() throws Exception {
    try (MockWebServer ably = new MockWebServer()) {
      ably.enqueue(new MockResponse.Builder().code(200).body("{\"channelId\":\"broadcasting-doctor\"}").build());
      ably.start();

      Finding finding = check(ably.getPort()).run();

      assertThat(finding.line()).isEqualTo("OK   driver ably 127.0.0.1:" + ably.getPort()
          + " (authenticated GET /channels/broadcasting-doctor) | saw: 200, key xVLyHw.DQrNxQ accepted");
      RecordedRequest request = ably.takeRequest();
      assertThat(request.getMethod()).isEqualTo("GET");
      assertThat(request.getUrl().encodedPath()).isEqualTo("/channels/broadcasting-doctor");
      String basic = request.getHeaders().get("Authorization");
      assertThat(new String(Base64.getDecoder().decode(basic.substring("Basic ".length())), StandardCharsets.UTF_8))
          .isEqualTo(KEY);
    }
  }

  @Test
  void aRefusedKeyIsAFailureWithAblysCode() throws Exception {
    try (MockWebServer ably = new MockWebServer()) {
      ably.enqueue(new MockResponse.Builder().code(401)
          .body("{\"error\":{\"message\":\"Invalid credentials\",\"code\":40101,\"statusCode\":401}}").build());
      ably.start();

      Finding finding = check(ably.getPort()).run();

      assertThat(finding.outcome()).isEqualTo(Outcome.FAIL);
      assertThat(finding.saw()).isEqualTo("401 40101 Invalid credentials");
      assertThat(finding.fix()).startsWith("set ABLY_KEY to a key of the app");
    }
  }

  /** A publish-only key may not read channel metadata; Ably saying so proves the key itself is good. */
  @Test
  void aKeyWithoutTheMetadataCapabilityIsStillAccepted() throws Exception {
    try (MockWebServer ably = new MockWebServer()) {
      ably.enqueue(new MockResponse.Builder().code(401)
          .body("{\"error\":{\"message\":\"Unable to perform channel operation\",\"code\":40160}}").build());
      ably.start();

      assertThat(check(ably.getPort()).run().outcome()).isEqualTo(Outcome.OK);
    }
  }

  @Test
  void anUnreachableHostIsRefused() throws Exception {
    int port = RedisServer.freePort(false);

    Finding finding = check(port).run();

    assertThat(finding.saw()).isEqualTo("connection refused at 127.0.0.1:" + port + ": nothing listens on that port");
  }

  private static AblyApiCheck check(int port) {
    return new AblyApiCheck(DriverSettings.of(Map.of("BROADCAST_CONNECTION", "ably", "ABLY_KEY", KEY,
        "ABLY_HOST", "127.0.0.1", "ABLY_PORT", String.valueOf(port), "ABLY_TLS", "false",
        "ABLY_ALLOW_INSECURE_BASIC_AUTH", "true")), HttpClient.newHttpClient(), TIMEOUT);
  }
}
