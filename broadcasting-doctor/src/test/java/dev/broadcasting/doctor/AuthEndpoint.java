package dev.broadcasting.doctor;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.broadcasting.AuthResponse;
import dev.broadcasting.Broadcaster;
import dev.broadcasting.ChannelAuthorizer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An application's auth route on the JDK's HTTP server, as in the examples: the session cookie
 * {@code session=ann} is user "ann", who may join {@code private-doctor.ann}; the answer is signed
 * by the broadcaster's own signer. Each way of breaking it is a setting.
 */
final class AuthEndpoint implements AutoCloseable {
  static final String COOKIE = "session=ann";
  static final String CHANNEL = "private-doctor.ann";

  /** Which CORS headers the route sends for {@link #allowedOrigin}. */
  enum Cors { NONE, WILDCARD, ORIGIN_WITHOUT_CREDENTIALS, FULL }

  private final HttpServer server;
  private final ChannelAuthorizer<String> channels;
  private final List<String> methods = new CopyOnWriteArrayList<>();
  volatile Cors cors = Cors.FULL;
  volatile String allowedOrigin = "http://localhost:5173";
  /** Answers 200 {@code true} to everyone, as a route wired to the redis answer would. */
  volatile boolean answerTrueToAnyone;
  /**
   * When set, the route checks CSRF first, as Laravel's web middleware does: a POST without this
   * token in {@code X-XSRF-TOKEN} gets 419 before the login is looked at.
   */
  volatile String csrfToken;

  AuthEndpoint(Broadcaster signer) throws IOException {
    channels = ChannelAuthorizer.<String>create(signer)
        .channel("doctor.{name}", (user, params) -> user.equals(params.get("name")));
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/broadcasting/auth", this::handle);
    server.start();
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/broadcasting/auth";
  }

  /** The methods of the requests received, in order. */
  List<String> methods() {
    return methods;
  }

  private void handle(HttpExchange exchange) throws IOException {
    methods.add(exchange.getRequestMethod());
    corsHeaders(exchange);
    if (exchange.getRequestMethod().equals("OPTIONS")) {
      exchange.sendResponseHeaders(204, -1);
      exchange.close();
      return;
    }
    String body = new String(exchange.getRequestBody().readNBytes(ChannelAuthorizer.MAX_BODY_CHARS),
        StandardCharsets.UTF_8);
    if (csrfToken != null && !csrfToken.equals(exchange.getRequestHeaders().getFirst("X-XSRF-TOKEN"))) {
      byte[] mismatch = "{\"message\":\"CSRF token mismatch.\"}".getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(419, mismatch.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(mismatch);
      }
      return;
    }
    String cookie = exchange.getRequestHeaders().getFirst("Cookie");
    String user = COOKIE.equals(cookie) ? "ann" : null;
    AuthResponse answer = answerTrueToAnyone ? new AuthResponse(200, "true") : channels.authorizeForm(body, user);
    byte[] bytes = answer.body().getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", AuthResponse.CONTENT_TYPE);
    exchange.sendResponseHeaders(answer.status(), bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  private void corsHeaders(HttpExchange exchange) {
    var headers = exchange.getResponseHeaders();
    switch (cors) {
      case NONE:
        return;
      case WILDCARD:
        headers.set("Access-Control-Allow-Origin", "*");
        return;
      case ORIGIN_WITHOUT_CREDENTIALS:
        headers.set("Access-Control-Allow-Origin", allowedOrigin);
        return;
      default:
        headers.set("Access-Control-Allow-Origin", allowedOrigin);
        headers.set("Access-Control-Allow-Credentials", "true");
        headers.set("Access-Control-Allow-Methods", "POST, OPTIONS");
        headers.set("Access-Control-Allow-Headers", "Content-Type, X-CSRF-TOKEN, X-Socket-ID, Authorization");
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
