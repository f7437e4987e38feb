package dev.broadcasting.doctor.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.broadcasting.doctor.Check;
import dev.broadcasting.doctor.Finding;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Asks the auth endpoint to authorize the test user (the cookie or header of
 * {@code BROADCAST_DOCTOR_AUTH_HEADER}) for {@code BROADCAST_DOCTOR_AUTH_CHANNEL}, and checks the
 * answer is a 200 the page's client accepts: for Pusher-protocol servers, an {@code auth} signed
 * with the app's key and secret, recomputed here.
 */
public final class AuthCheck implements Check {

  /** The {@code auth} value a correct answer carries, or null when the driver's answer is not signed. */
  @FunctionalInterface
  public interface ExpectedAuth {
    String auth(String socketId, String channelName, String channelData);
  }

  private final FrontEnd page;
  private final HttpClient http;
  private final ExpectedAuth expected;
  private final Duration timeout;

  public AuthCheck(FrontEnd page, HttpClient http, ExpectedAuth expected, Duration timeout) {
    this.page = page;
    this.http = http;
    this.expected = expected;
    this.timeout = timeout;
  }

  @Override
  public Finding run() {
    String name = "auth " + page.authUrl() + " as the test user (" + page.authHeaderName() + ") for "
        + page.authChannel();
    HttpExchange<String> sent = AuthRequest.send(http, page, true, name, timeout);
    if (sent.failure() != null) {
      return sent.failure();
    }
    HttpResponse<String> response = sent.response();
    int status = response.statusCode();
    String saw = status + " " + AuthRequest.excerpt(response.body());
    if (status == 200) {
      return answer(name, response.body());
    }
    if (status == 401 || status == 403) {
      return Finding.fail(name, saw, "the channel callback for " + page.authChannel() + " refused the test user, or "
          + "the session in BROADCAST_DOCTOR_AUTH_HEADER is no longer logged in: log in again, copy the fresh "
          + "cookie or token, and check the callback registered for the channel"
          + (page.csrfHeaderName() == null ? "; Spring Security answers a POST without its CSRF token with 403 too: "
              + "set BROADCAST_DOCTOR_CSRF_HEADER to \"X-XSRF-TOKEN: \" and the XSRF-TOKEN cookie" : ""));
    }
    if (status == 419) {
      return Finding.fail(name, saw, page.csrfHeaderName() == null
          ? "CSRF token mismatch: the route wants the page's CSRF token; set BROADCAST_DOCTOR_CSRF_HEADER to "
              + "\"X-XSRF-TOKEN: \" and the test user's XSRF-TOKEN cookie, as Echo sends it (auth.headers)"
          : "CSRF token mismatch: the token in BROADCAST_DOCTOR_CSRF_HEADER is not the test user's session's; "
              + "copy the XSRF-TOKEN cookie of the same session as BROADCAST_DOCTOR_AUTH_HEADER");
    }
    if (status == 404 || status == 405) {
      return Finding.fail(name, saw, "no auth route answers POST there: set Echo's authEndpoint and "
          + "BROADCAST_DOCTOR_AUTH_URL to the route that calls the broadcaster's auth");
    }
    return Finding.fail(name, saw, "the auth route failed: see the application's log for this request");
  }

  private Finding answer(String name, String body) {
    JsonNode json;
    try {
      json = new ObjectMapper().readTree(body);
    } catch (Exception e) {
      return Finding.fail(name, "200 but not JSON: " + AuthRequest.excerpt(body),
          "answer with the JSON of the broadcaster's auth call, with Content-Type application/json");
    }
    if (expected == null) {
      return Finding.ok(name, "200 " + AuthRequest.excerpt(body) + " (not signed by this driver)");
    }
    if (!json.path("auth").isTextual()) {
      return Finding.fail(name, "200 " + AuthRequest.excerpt(body) + ", with no \"auth\": pusher-js cannot subscribe",
          "answer with the auth call of a broadcaster whose default connection is pusher or server (\"true\" "
              + "is the redis driver's answer)");
    }
    String auth = json.get("auth").asText();
    String channelData = json.path("channel_data").isTextual() ? json.get("channel_data").asText() : null;
    String want = expected.auth(AuthRequest.SOCKET_ID, page.authChannel(), channelData);
    String wantKey = want.substring(0, want.indexOf(':'));
    if (!auth.startsWith(wantKey + ":")) {
      return Finding.fail(name, "200, signed for key \"" + auth.substring(0, Math.max(0, auth.indexOf(':')))
          + "\" but the app's key is \"" + wantKey + "\"", "sign with the same app as the page: PUSHER_APP_KEY");
    }
    if (!auth.equals(want)) {
      return Finding.fail(name, "200, but the signature does not verify with PUSHER_APP_SECRET",
          "the route signs with another secret: give it the same PUSHER_APP_SECRET as the server");
    }
    return Finding.ok(name, "200, signed with key " + wantKey + ", signature verified");
  }
}
