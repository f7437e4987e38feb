package dev.broadcasting.examples;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.broadcasting.AuthResponse;
import dev.broadcasting.Broadcaster;
import dev.broadcasting.ChannelAuthorizer;
import dev.broadcasting.PresenceMember;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * {@code POST /broadcasting/auth} on the JDK's own HTTP server: how a bearer token becomes "the
 * current user", and how the authorizer's answer is written back. Any framework does the same
 * three steps: read the body, find the user, write status and body.
 */
public final class AuthRouteExample {

  public record User(long id, String name) {}

  /** Stands in for the application's sessions: token → user. */
  private final Map<String, User> sessions;
  private final ChannelAuthorizer<User> channels;

  public AuthRouteExample(Broadcaster broadcaster, Map<String, User> sessions) {
    this.sessions = sessions;
    // routes/channels.php, in Java
    this.channels = ChannelAuthorizer.<User>create(broadcaster)
        .channel("orders.{userId}", (user, params) -> user.id() == params.getLong("userId"))
        .presence("room.{roomId}", (user, params) -> PresenceMember.of(user.id(), Map.of("name", user.name())))
        .userData(user -> Map.of("id", String.valueOf(user.id()), "name", user.name()));
  }

  public HttpServer start(int port) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
    server.createContext("/broadcasting/auth", exchange -> handle(exchange, false));
    server.createContext("/broadcasting/user-auth", exchange -> handle(exchange, true));
    server.start();
    return server;
  }

  private void handle(HttpExchange exchange, boolean userAuth) throws IOException {
    if (!"POST".equals(exchange.getRequestMethod())) {
      write(exchange, new AuthResponse(405, "{\"error\":\"use POST\"}"));
      return;
    }
    User user = currentUser(exchange);
    String body = readAtMost(exchange.getRequestBody(), ChannelAuthorizer.MAX_BODY_CHARS + 1);
    String type = String.valueOf(exchange.getRequestHeaders().getFirst("Content-Type"));
    AuthResponse answer;
    if (userAuth) {
      answer = channels.authenticateUserForm(body, user);
    } else if (type.startsWith("application/json")) {
      answer = channels.authorizeJson(body, user);
    } else {
      answer = channels.authorizeForm(body, user);
    }
    write(exchange, answer);
  }

  /** {@code Authorization: Bearer <token>} as Echo's {@code auth.headers} sends it; a cookie works the same way. */
  private User currentUser(HttpExchange exchange) {
    String header = exchange.getRequestHeaders().getFirst("Authorization");
    if (header == null || !header.startsWith("Bearer ")) {
      return null;
    }
    return sessions.get(header.substring("Bearer ".length()));
  }

  private static String readAtMost(InputStream in, int limit) throws IOException {
    byte[] bytes = in.readNBytes(limit);
    return new String(bytes, StandardCharsets.UTF_8);
  }

  private static void write(HttpExchange exchange, AuthResponse answer) throws IOException {
    byte[] body = answer.body().getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", AuthResponse.CONTENT_TYPE);
    exchange.sendResponseHeaders(answer.status(), body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  /**
   * The broadcaster whose connection signs the answers: the environment's, when it names one with
   * {@code BROADCAST_CONNECTION}; otherwise the {@code pusher} driver with the example's app
   * ({@code PUSHER_APP_KEY=app-key}, {@code PUSHER_APP_SECRET=app-secret}, the standalone server's
   * README values), so that pusher-js gets a real {@code {"auth":"app-key:..."}}. The {@code log}
   * driver a bare {@code fromEnvironment()} falls back to signs nothing and answers {@code true},
   * which only laravel-echo-server understands.
   */
  static Broadcaster broadcaster(Map<String, String> env) {
    if (env.containsKey("BROADCAST_CONNECTION") || env.containsKey("BROADCAST_DRIVER")) {
      return Broadcaster.fromMap(env);
    }
    Map<String, String> example = new HashMap<>(Map.of(
        "PUSHER_APP_ID", "1", "PUSHER_APP_KEY", "app-key", "PUSHER_APP_SECRET", "app-secret",
        "PUSHER_HOST", "127.0.0.1", "PUSHER_PORT", "6001", "PUSHER_SCHEME", "http"));
    example.putAll(env); // the user's own PUSHER_* win
    return Broadcaster.builder().connection("pusher", "pusher", example).build();
  }

  public static void main(String[] args) throws IOException {
    Map<String, String> env = System.getenv();
    Broadcaster broadcaster = broadcaster(env);
    Map<String, User> sessions = Map.of("token-ann", new User(1, "Ann"), "token-bob", new User(2, "Bob"));
    HttpServer server = new AuthRouteExample(broadcaster, sessions).start(8081);
    if (!env.containsKey("BROADCAST_CONNECTION") && !env.containsKey("BROADCAST_DRIVER")) {
      System.out.println("Signing for pusher app key " + env.getOrDefault("PUSHER_APP_KEY", "app-key")
          + "; set PUSHER_APP_KEY and PUSHER_APP_SECRET to your app's (BROADCAST_CONNECTION=redis answers"
          + " laravel-echo-server's unsigned true instead)");
    }
    System.out.println("POST http://127.0.0.1:" + server.getAddress().getPort() + "/broadcasting/auth"
        + " with Authorization: Bearer token-ann and socket_id=1.2&channel_name=private-orders.1");
  }
}
