package dev.broadcasting.doctor.internal;

import dev.broadcasting.doctor.Finding;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * One HTTP request of a check: the answer, or the failed finding that says in the checks' common
 * words why there is none (refused, timed out, unknown host, TLS).
 *
 * <pre>{@code
 * HttpExchange<String> sent = HttpExchange.send(http, request, BodyHandlers.ofString(), name, endpoint, timeout);
 * if (sent.failure() != null) return sent.failure();
 * }</pre>
 */
record HttpExchange<T>(HttpResponse<T> response, Finding failure) {

  static <T> HttpExchange<T> send(HttpClient http, HttpRequest request, HttpResponse.BodyHandler<T> body,
      String check, Endpoint endpoint, Duration timeout) {
    try {
      return new HttpExchange<>(http.send(request, body), null);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new HttpExchange<>(null, Finding.fail(check, "interrupted", "run the doctor again"));
    } catch (Exception e) {
      return new HttpExchange<>(null, Finding.fail(check, Failures.describe(e, endpoint, timeout.toMillis()),
          Failures.fix(e, endpoint)));
    }
  }
}
