package dev.broadcasting.doctor.internal;

import dev.broadcasting.doctor.Check;
import dev.broadcasting.doctor.Finding;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Asks the auth endpoint for the same channel with no cookie or token: it must refuse, quietly. */
public final class AuthRefusalCheck implements Check {
  private final FrontEnd page;
  private final HttpClient http;
  private final Duration timeout;

  public AuthRefusalCheck(FrontEnd page, HttpClient http, Duration timeout) {
    this.page = page;
    this.http = http;
    this.timeout = timeout;
  }

  @Override
  public Finding run() {
    String name = "auth " + page.authUrl() + " with no credentials for " + page.authChannel();
    HttpExchange<String> sent = AuthRequest.send(http, page, false, name, timeout);
    if (sent.failure() != null) {
      return sent.failure();
    }
    HttpResponse<String> response = sent.response();
    int status = response.statusCode();
    String saw = status + " " + AuthRequest.excerpt(response.body());
    if (status == 401 || status == 403) {
      return Finding.ok(name, saw);
    }
    if (status == 419) {
      // Laravel's CSRF check runs before the login is looked at: a stranger is refused either way
      return Finding.ok(name, saw + " (refused by CSRF protection, before the login is checked)");
    }
    if (status == 200) {
      return Finding.fail(name, saw + ": anyone may subscribe", "refuse with 403 when no user is logged in: the "
          + "route must pass the current user, and the channel callback must deny null");
    }
    if (status >= 500) {
      return Finding.fail(name, saw, "answer 403, not an error, to a client that is not logged in");
    }
    return Finding.warn(name, saw, "answer 403 to a client that is not logged in; pusher-js reports other "
        + "statuses as errors");
  }
}
