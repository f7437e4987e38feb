package dev.broadcasting.doctor.internal;

import dev.broadcasting.doctor.Check;
import dev.broadcasting.doctor.Finding;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Sends the preflight a browser sends before the auth request from another origin
 * ({@code OPTIONS} with {@code Origin} and {@code Access-Control-Request-Method: POST}) and checks
 * the answer lets the page's origin through, with credentials when the test user is a cookie, and
 * the headers the page adds: the test user's token header, and the CSRF token's.
 */
public final class CorsCheck implements Check {
  private final FrontEnd page;
  private final HttpClient http;
  private final Duration timeout;

  public CorsCheck(FrontEnd page, HttpClient http, Duration timeout) {
    this.page = page;
    this.http = http;
    this.timeout = timeout;
  }

  @Override
  public Finding run() {
    URI auth = page.authUrl();
    String origin = page.pageOrigin();
    String name = "cors " + auth + " from " + origin;
    if ((auth.getScheme() + "://" + auth.getRawAuthority()).equalsIgnoreCase(origin)) {
      return Finding.ok(name, "same origin: the browser sends no preflight");
    }
    boolean cookie = "cookie".equalsIgnoreCase(page.authHeaderName());
    List<String> requested = new ArrayList<>();
    if (page.authHeaderName() != null && !cookie) {
      requested.add(page.authHeaderName());
    }
    if (page.csrfHeaderName() != null) {
      requested.add(page.csrfHeaderName());
    }
    HttpRequest.Builder preflight = HttpRequest.newBuilder(auth).timeout(timeout)
        .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
        .header("Origin", origin)
        .header("Access-Control-Request-Method", "POST");
    if (!requested.isEmpty()) {
      preflight.header("Access-Control-Request-Headers", String.join(",", requested).toLowerCase(Locale.ROOT));
    }
    HttpExchange<Void> sent = HttpExchange.send(http, preflight.build(), HttpResponse.BodyHandlers.discarding(),
        name, AuthRequest.endpoint(page), timeout);
    if (sent.failure() != null) {
      return sent.failure();
    }
    HttpResponse<Void> response = sent.response();
    String allowOrigin = response.headers().firstValue("Access-Control-Allow-Origin").orElse(null);
    String fix = "answer the auth route's OPTIONS and POST with Access-Control-Allow-Origin: " + origin
        + (cookie ? ", Access-Control-Allow-Credentials: true" : "") + " and Access-Control-Allow-Headers: "
        + "Content-Type, X-CSRF-TOKEN, X-Socket-ID" + requested.stream().filter(h -> !h.equalsIgnoreCase("X-CSRF-TOKEN"))
            .map(h -> ", " + h).collect(Collectors.joining());
    if (allowOrigin == null) {
      return Finding.fail(name, "preflight " + response.statusCode() + " with no Access-Control-Allow-Origin", fix);
    }
    if (!allowOrigin.equals(origin) && !(allowOrigin.equals("*") && !cookie)) {
      return Finding.fail(name, "Access-Control-Allow-Origin: " + allowOrigin + (allowOrigin.equals("*")
          ? ", which browsers refuse for a request with cookies" : ", not the page's origin"), fix);
    }
    if (cookie && !response.headers().firstValue("Access-Control-Allow-Credentials").orElse("").equals("true")) {
      return Finding.fail(name, "no Access-Control-Allow-Credentials: true, so the browser drops the session cookie",
          fix);
    }
    for (String header : requested) {
      if (!allows(response, header.toLowerCase(Locale.ROOT))) {
        return Finding.fail(name, "Access-Control-Allow-Headers leaves out " + header, fix);
      }
    }
    return Finding.ok(name, "preflight " + response.statusCode() + ", Access-Control-Allow-Origin: " + allowOrigin);
  }

  private static boolean allows(HttpResponse<Void> response, String header) {
    String allowed = response.headers().firstValue("Access-Control-Allow-Headers").orElse("");
    return Arrays.stream(allowed.split(",")).map(h -> h.trim().toLowerCase(Locale.ROOT))
        .anyMatch(h -> h.equals(header) || h.equals("*"));
  }
}
