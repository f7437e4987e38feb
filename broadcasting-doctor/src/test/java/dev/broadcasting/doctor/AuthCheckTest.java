package dev.broadcasting.doctor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.broadcasting.Broadcaster;
import dev.broadcasting.doctor.Finding.Outcome;
import dev.broadcasting.doctor.internal.AuthCheck;
import dev.broadcasting.doctor.internal.AuthRefusalCheck;
import dev.broadcasting.doctor.internal.FrontEnd;
import dev.broadcasting.doctor.internal.PusherAuth;
import dev.broadcasting.redis.RedisServer;
import dev.broadcasting.spi.DriverSettings;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The auth endpoint of an application (a JDK HttpServer with a real ChannelAuthorizer), asked as
 * the test user and as a stranger; the doctor recomputes the signature it expects.
 */
class AuthCheckTest {
  // generous: a check returns as soon as it has its answer, and a loaded machine must not fail it
  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @Test
  void theTestUserGetsASignatureThatVerifies() throws Exception {
    try (Broadcaster app = pusher("app-secret"); AuthEndpoint endpoint = new AuthEndpoint(app)) {
      List<Finding> findings = checks(endpoint, "Cookie: " + AuthEndpoint.COOKIE);

      assertThat(findings.get(0).line()).isEqualTo("OK   auth " + endpoint.url() + " as the test user (Cookie) for "
          + "private-doctor.ann | saw: 200, signed with key app-key, signature verified");
      assertThat(findings.get(1).line()).isEqualTo("OK   auth " + endpoint.url() + " with no credentials for "
          + "private-doctor.ann | saw: 403 {\"error\":\"Forbidden\"}");
      assertThat(endpoint.methods()).containsExactly("POST", "POST");
    }
  }

  @Test
  void behindCsrfProtectionTheTestUserSendsTheTokenOfItsSession() throws Exception {
    try (Broadcaster app = pusher("app-secret"); AuthEndpoint endpoint = new AuthEndpoint(app)) {
      endpoint.csrfToken = "xsrf-of-ann";
      Map<String, String> settings = settings(endpoint.url(), "Cookie: " + AuthEndpoint.COOKIE);

      Finding withoutToken = checks(settings).get(0);
      assertThat(withoutToken.outcome()).isEqualTo(Outcome.FAIL);
      assertThat(withoutToken.saw()).isEqualTo("419 {\"message\":\"CSRF token mismatch.\"}");
      assertThat(withoutToken.fix()).contains("set BROADCAST_DOCTOR_CSRF_HEADER to \"X-XSRF-TOKEN: \"");

      settings.put("BROADCAST_DOCTOR_CSRF_HEADER", "X-XSRF-TOKEN: xsrf-of-ann");
      List<Finding> findings = checks(settings);
      assertThat(findings.get(0).line()).isEqualTo("OK   auth " + endpoint.url() + " as the test user (Cookie) for "
          + "private-doctor.ann | saw: 200, signed with key app-key, signature verified");
      assertThat(findings.get(1).line()).isEqualTo("OK   auth " + endpoint.url() + " with no credentials for "
          + "private-doctor.ann | saw: 419 {\"message\":\"CSRF token mismatch.\"} (refused by CSRF protection, "
          + "before the login is checked)");
      assertThat(String.join("\n", findings.stream().map(Finding::line).toList())).doesNotContain("xsrf-of-ann");

      settings.put("BROADCAST_DOCTOR_CSRF_HEADER", "X-XSRF-TOKEN: another-sessions-token");
      assertThat(checks(settings).get(0).fix()).startsWith("CSRF token mismatch: the token in "
          + "BROADCAST_DOCTOR_CSRF_HEADER is not the test user's session's");
    }
  }

  /** The value the doctor expects, computed here with javax.crypto from the documented string to sign. */
  @Test
  void theExpectedSignatureIsTheDocumentedHmac() throws Exception {
    String expected = "app-key:" + PusherApiCheckTest.hmacSha256Hex("app-secret", "123456.7890123:private-doctor.ann");
    try (Broadcaster app = pusher("app-secret")) {
      assertThat(app.authSigner().signPrivate("123456.7890123", "private-doctor.ann")).contains(expected);
    }
  }

  @Test
  void aStaleSessionIs403AndTheFixSaysLogInAgain() throws Exception {
    try (Broadcaster app = pusher("app-secret"); AuthEndpoint endpoint = new AuthEndpoint(app)) {
      Finding finding = checks(endpoint, "Cookie: session=expired").get(0);

      assertThat(finding.outcome()).isEqualTo(Outcome.FAIL);
      assertThat(finding.saw()).isEqualTo("403 {\"error\":\"Forbidden\"}");
      assertThat(finding.fix()).startsWith("the channel callback for private-doctor.ann refused the test user, or "
          + "the session in BROADCAST_DOCTOR_AUTH_HEADER is no longer logged in")
          .endsWith("Spring Security answers a POST without its CSRF token with 403 too: set "
              + "BROADCAST_DOCTOR_CSRF_HEADER to \"X-XSRF-TOKEN: \" and the XSRF-TOKEN cookie");
    }
  }

  @Test
  void anAnswerSignedWithAnotherSecretFails() throws Exception {
    try (Broadcaster app = pusher("another-secret"); AuthEndpoint endpoint = new AuthEndpoint(app)) {
      Finding finding = checks(endpoint, "Cookie: " + AuthEndpoint.COOKIE).get(0);

      assertThat(finding.outcome()).isEqualTo(Outcome.FAIL);
      assertThat(finding.saw()).isEqualTo("200, but the signature does not verify with PUSHER_APP_SECRET");
    }
  }

  @Test
  void theRedisAnswerTrueFailsForPusherJsAndAnsweringEveryoneFails() throws Exception {
    try (Broadcaster app = pusher("app-secret"); AuthEndpoint endpoint = new AuthEndpoint(app)) {
      endpoint.answerTrueToAnyone = true;

      List<Finding> findings = checks(endpoint, "Cookie: " + AuthEndpoint.COOKIE);

      assertThat(findings.get(0).outcome()).isEqualTo(Outcome.FAIL);
      assertThat(findings.get(0).saw()).isEqualTo("200 true, with no \"auth\": pusher-js cannot subscribe");
      assertThat(findings.get(1).outcome()).isEqualTo(Outcome.FAIL);
      assertThat(findings.get(1).saw()).isEqualTo("200 true: anyone may subscribe");
    }
  }

  @Test
  void anAuthEndpointThatIsDownIsRefused() throws Exception {
    int port = RedisServer.freePort(false);
    Map<String, String> settings = settings("http://127.0.0.1:" + port + "/broadcasting/auth", "Cookie: a=b");

    Finding finding = checks(settings).get(0);

    assertThat(finding.saw()).isEqualTo("connection refused at 127.0.0.1:" + port + ": nothing listens on that port");
    assertThat(finding.fix()).isEqualTo("start the auth endpoint on 127.0.0.1:" + port
        + ", or correct BROADCAST_DOCTOR_AUTH_URL (Echo's authEndpoint)");
  }

  private static List<Finding> checks(AuthEndpoint endpoint, String header) {
    return checks(settings(endpoint.url(), header));
  }

  /** The test user's check, then the stranger's. */
  private static List<Finding> checks(Map<String, String> settings) {
    FrontEnd page = FrontEnd.read(DriverSettings.of(settings));
    return List.of(new AuthCheck(page, HTTP, PusherAuth.expected(DriverSettings.of(settings)), TIMEOUT).run(),
        new AuthRefusalCheck(page, HTTP, TIMEOUT).run());
  }

  private static Map<String, String> settings(String authUrl, String header) {
    Map<String, String> settings = new HashMap<>(EmbeddedServer.settings(1));
    settings.put("BROADCAST_DOCTOR_AUTH_URL", authUrl);
    settings.put("BROADCAST_DOCTOR_AUTH_HEADER", header);
    settings.put("BROADCAST_DOCTOR_AUTH_CHANNEL", AuthEndpoint.CHANNEL);
    return settings;
  }

  static Broadcaster pusher(String secret) {
    return Broadcaster.builder().connection("pusher", "pusher", Map.of("PUSHER_APP_ID", "1",
        "PUSHER_APP_KEY", EmbeddedServer.KEY, "PUSHER_APP_SECRET", secret)).build();
  }
}
