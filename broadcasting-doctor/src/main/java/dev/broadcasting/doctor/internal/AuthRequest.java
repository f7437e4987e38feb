package dev.broadcasting.doctor.internal;

import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The request pusher-js sends to the auth endpoint when it subscribes to a private channel: a
 * form POST of {@code socket_id} and {@code channel_name}, from the page's origin, with the test
 * user's cookie or token and CSRF token when {@code withCredentials}.
 */
final class AuthRequest {
  /** A socket id in the form Pusher hands out, which Laravel validates. */
  static final String SOCKET_ID = "123456.7890123";

  private AuthRequest() {}

  static HttpExchange<String> send(HttpClient http, FrontEnd page, boolean withCredentials, String check,
      Duration timeout) {
    String form = "socket_id=" + URLEncoder.encode(SOCKET_ID, StandardCharsets.UTF_8)
        + "&channel_name=" + URLEncoder.encode(page.authChannel(), StandardCharsets.UTF_8);
    HttpRequest.Builder request = HttpRequest.newBuilder(page.authUrl()).timeout(timeout)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("Accept", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(form));
    if (page.pageOrigin() != null) {
      request.header("Origin", page.pageOrigin());
    }
    if (withCredentials) {
      request.header(page.authHeaderName(), page.authHeaderValue());
      if (page.csrfHeaderName() != null) {
        request.header(page.csrfHeaderName(), page.csrfHeaderValue());
      }
    }
    return HttpExchange.send(http, request.build(), HttpResponse.BodyHandlers.ofString(), check, endpoint(page),
        timeout);
  }

  static Endpoint endpoint(FrontEnd page) {
    return Endpoint.of("auth endpoint", page.authUrl(), "BROADCAST_DOCTOR_AUTH_URL (Echo's authEndpoint)");
  }

  /** The start of a body, on one line, for a finding. */
  static String excerpt(String body) {
    String line = body.replaceAll("\\s+", " ").strip();
    return line.length() <= 160 ? line : line.substring(0, 157) + "...";
  }
}
