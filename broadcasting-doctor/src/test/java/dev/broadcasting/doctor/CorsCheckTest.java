package dev.broadcasting.doctor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.broadcasting.Broadcaster;
import dev.broadcasting.doctor.AuthEndpoint.Cors;
import dev.broadcasting.doctor.Finding.Outcome;
import dev.broadcasting.doctor.internal.CorsCheck;
import dev.broadcasting.doctor.internal.FrontEnd;
import dev.broadcasting.spi.DriverSettings;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The preflight a browser sends from the page's origin to the auth endpoint, against an endpoint with each CORS mistake. */
class CorsCheckTest {
  private static final String PAGE = "http://localhost:5173";
  private static Broadcaster app;
  private static AuthEndpoint endpoint;

  @BeforeAll
  static void start() throws Exception {
    app = AuthCheckTest.pusher("app-secret");
    endpoint = new AuthEndpoint(app);
  }

  @AfterAll
  static void stop() {
    endpoint.close();
    app.close();
  }

  @Test
  void thePagesOriginWithCredentialsPasses() {
    endpoint.cors = Cors.FULL;

    Finding finding = check("Cookie: " + AuthEndpoint.COOKIE).run();

    assertThat(finding.line()).isEqualTo("OK   cors " + endpoint.url() + " from " + PAGE
        + " | saw: preflight 204, Access-Control-Allow-Origin: " + PAGE);
    assertThat(endpoint.methods()).last().isEqualTo("OPTIONS");
  }

  @Test
  void noCorsHeadersFailsWithTheHeadersToSend() {
    endpoint.cors = Cors.NONE;

    Finding finding = check("Cookie: " + AuthEndpoint.COOKIE).run();

    assertThat(finding.line()).isEqualTo("FAIL cors " + endpoint.url() + " from " + PAGE + " | saw: preflight 204 "
        + "with no Access-Control-Allow-Origin | fix: answer the auth route's OPTIONS and POST with "
        + "Access-Control-Allow-Origin: " + PAGE + ", Access-Control-Allow-Credentials: true and "
        + "Access-Control-Allow-Headers: Content-Type, X-CSRF-TOKEN, X-Socket-ID");
  }

  @Test
  void aWildcardOriginIsRefusedWithCookies() {
    endpoint.cors = Cors.WILDCARD;

    Finding finding = check("Cookie: " + AuthEndpoint.COOKIE).run();

    assertThat(finding.outcome()).isEqualTo(Outcome.FAIL);
    assertThat(finding.saw()).isEqualTo("Access-Control-Allow-Origin: *, which browsers refuse for a request with cookies");
  }

  @Test
  void aWildcardOriginWithABearerTokenStillNeedsTheAuthorizationHeaderAllowed() {
    endpoint.cors = Cors.WILDCARD;

    Finding finding = check("Authorization: Bearer t").run();

    assertThat(finding.outcome()).isEqualTo(Outcome.FAIL);
    assertThat(finding.saw()).isEqualTo("Access-Control-Allow-Headers leaves out Authorization");
  }

  @Test
  void withoutAllowCredentialsTheCookieIsDropped() {
    endpoint.cors = Cors.ORIGIN_WITHOUT_CREDENTIALS;

    Finding finding = check("Cookie: " + AuthEndpoint.COOKIE).run();

    assertThat(finding.saw()).isEqualTo("no Access-Control-Allow-Credentials: true, so the browser drops the "
        + "session cookie");
  }

  @Test
  void anotherOriginIsNamed() {
    endpoint.cors = Cors.FULL;
    endpoint.allowedOrigin = "https://app.example.com";
    try {
      Finding finding = check("Cookie: " + AuthEndpoint.COOKIE).run();

      assertThat(finding.saw()).isEqualTo("Access-Control-Allow-Origin: https://app.example.com, not the page's origin");
    } finally {
      endpoint.allowedOrigin = PAGE;
    }
  }

  @Test
  void theCsrfTokensHeaderMustBeAllowedToo() {
    endpoint.cors = Cors.FULL;
    Map<String, String> settings = settings("Cookie: " + AuthEndpoint.COOKIE);
    settings.put("BROADCAST_DOCTOR_CSRF_HEADER", "X-XSRF-TOKEN: t");

    Finding finding = new CorsCheck(FrontEnd.read(DriverSettings.of(settings)), HttpClient.newHttpClient(),
        Duration.ofSeconds(10)).run();

    assertThat(finding.outcome()).isEqualTo(Outcome.FAIL);
    assertThat(finding.saw()).isEqualTo("Access-Control-Allow-Headers leaves out X-XSRF-TOKEN");
    assertThat(finding.fix()).endsWith("Access-Control-Allow-Headers: Content-Type, X-CSRF-TOKEN, X-Socket-ID, "
        + "X-XSRF-TOKEN");

    settings.put("BROADCAST_DOCTOR_CSRF_HEADER", "X-CSRF-TOKEN: t");
    assertThat(new CorsCheck(FrontEnd.read(DriverSettings.of(settings)), HttpClient.newHttpClient(),
        Duration.ofSeconds(10)).run().outcome()).isEqualTo(Outcome.OK);
  }

  @Test
  void theSameOriginNeedsNoPreflight() {
    Map<String, String> settings = settings("Cookie: " + AuthEndpoint.COOKIE);
    settings.put("BROADCAST_DOCTOR_PAGE_ORIGIN", endpoint.url().replace("/broadcasting/auth", "/chat"));

    Finding finding = new CorsCheck(FrontEnd.read(DriverSettings.of(settings)), HttpClient.newHttpClient(),
        Duration.ofSeconds(10)).run();

    assertThat(finding.saw()).isEqualTo("same origin: the browser sends no preflight");
  }

  private static CorsCheck check(String header) {
    return new CorsCheck(FrontEnd.read(DriverSettings.of(settings(header))), HttpClient.newHttpClient(),
        Duration.ofSeconds(10));
  }

  private static Map<String, String> settings(String header) {
    Map<String, String> settings = new HashMap<>(EmbeddedServer.settings(1));
    settings.put("BROADCAST_DOCTOR_AUTH_URL", endpoint.url());
    settings.put("BROADCAST_DOCTOR_AUTH_HEADER", header);
    settings.put("BROADCAST_DOCTOR_PAGE_ORIGIN", PAGE);
    return settings;
  }
}
