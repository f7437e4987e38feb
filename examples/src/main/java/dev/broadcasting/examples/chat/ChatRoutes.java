package dev.broadcasting.examples.chat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.broadcasting.AuthResponse;
import dev.broadcasting.Broadcaster;
import dev.broadcasting.ChannelAuthorizer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The chat demo's HTTP side on the JDK's {@link HttpServer}: the page, the cookie login, the
 * {@code /broadcasting/auth} route that Echo calls for every private and presence channel, and
 * {@code POST /messages}, which broadcasts to everyone but the sender.
 */
final class ChatRoutes {
  private static final int MAX_BODY_BYTES = 8 * 1024;
  private static final int MAX_MESSAGE_CHARS = 500;
  private static final Pattern MENTION = Pattern.compile("@([\\p{L}\\p{N}_-]+)");
  private static final Map<String, String> ASSETS = Map.of(
      "/", "index.html",
      "/chat.js", "chat.js",
      "/chat.js.map", "chat.js.map",
      "/chat.css", "chat.css");

  private final ObjectMapper json = new ObjectMapper();
  private final AtomicLong messageIds = new AtomicLong();
  private final Broadcaster broadcaster;
  private final ChannelAuthorizer<ChatUser> channels;
  private final ChatSessions sessions;
  private final Map<String, Object> pusherOptions;
  private final Consumer<String> terminal;

  ChatRoutes(Broadcaster broadcaster, ChannelAuthorizer<ChatUser> channels, ChatSessions sessions,
      Map<String, Object> pusherOptions, Consumer<String> terminal) {
    this.broadcaster = broadcaster;
    this.channels = channels;
    this.sessions = sessions;
    this.pusherOptions = pusherOptions;
    this.terminal = terminal;
  }

  void register(HttpServer server) {
    server.createContext("/", this::asset);
    server.createContext("/session", exchange -> route(exchange, "GET", this::session));
    server.createContext("/login", exchange -> route(exchange, "POST", this::logIn));
    server.createContext("/logout", exchange -> route(exchange, "POST", this::logOut));
    server.createContext("/messages", exchange -> route(exchange, "POST", this::postMessage));
    server.createContext("/broadcasting/auth", exchange -> route(exchange, "POST", this::authorize));
  }

  private interface Route {
    void handle(HttpExchange exchange) throws IOException;
  }

  private void route(HttpExchange exchange, String method, Route route) throws IOException {
    try (exchange) {
      if (!method.equals(exchange.getRequestMethod())) {
        exchange.getResponseHeaders().set("Allow", method);
        writeJson(exchange, 405, Map.of("error", "use " + method));
        return;
      }
      route.handle(exchange);
    } catch (RuntimeException e) {
      terminal.accept("error  " + exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath() + ": " + e);
      throw e;
    }
  }

  private void session(HttpExchange exchange) throws IOException {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("user", currentUser(exchange));
    body.put("pusher", pusherOptions);
    writeJson(exchange, 200, body);
  }

  private void logIn(HttpExchange exchange) throws IOException {
    JsonNode body = readJson(exchange);
    String token;
    try {
      token = sessions.logIn(body == null ? null : body.path("name").asText(null));
    } catch (IllegalArgumentException e) {
      writeJson(exchange, 400, Map.of("error", e.getMessage()));
      return;
    }
    // HttpOnly: page scripts never see the token. SameSite=Lax: another site's form cannot post
    // to /messages or /broadcasting/auth with this cookie (a real app adds a CSRF token too).
    exchange.getResponseHeaders().add("Set-Cookie",
        ChatSessions.COOKIE + "=" + token + "; Path=/; HttpOnly; SameSite=Lax");
    ChatUser user = sessions.user(ChatSessions.COOKIE + "=" + token);
    terminal.accept("login  " + describe(user));
    writeJson(exchange, 200, Map.of("user", user));
  }

  private void logOut(HttpExchange exchange) throws IOException {
    sessions.logOut(exchange.getRequestHeaders().getFirst("Cookie"));
    exchange.getResponseHeaders().add("Set-Cookie", ChatSessions.COOKIE + "=; Path=/; Max-Age=0");
    writeJson(exchange, 200, Map.of());
  }

  private void postMessage(HttpExchange exchange) throws IOException {
    ChatUser user = currentUser(exchange);
    if (user == null) {
      writeJson(exchange, 401, Map.of("error", "log in first"));
      return;
    }
    JsonNode body = readJson(exchange);
    String text = body == null ? "" : body.path("text").asText("").strip();
    if (text.isEmpty() || text.length() > MAX_MESSAGE_CHARS) {
      writeJson(exchange, 400, Map.of("error", "text must be 1 to " + MAX_MESSAGE_CHARS + " characters"));
      return;
    }
    MessagePosted message = new MessagePosted(messageIds.incrementAndGet(), user, text, Instant.now().toString());
    // Echo's tabs send their socket id in X-Socket-ID; toOthers() keeps the message from coming
    // back to the tab that posted it, which shows it from this answer instead.
    String socketId = exchange.getRequestHeaders().getFirst("X-Socket-ID");
    if (socketId != null && !socketId.isBlank()) {
      broadcaster.toOthers(socketId).broadcast(message);
    } else {
      broadcaster.broadcast(message);
    }
    for (ChatUser mentioned : mentions(text)) {
      broadcaster.broadcast(new Mentioned(mentioned.id(), user.name(), text));
    }
    writeJson(exchange, 201, Map.of("message", message));
  }

  private Set<ChatUser> mentions(String text) {
    Set<ChatUser> users = new LinkedHashSet<>();
    Matcher matcher = MENTION.matcher(text);
    while (matcher.find()) {
      ChatUser user = sessions.byName(matcher.group(1));
      if (user != null) {
        users.add(user);
      }
    }
    return users;
  }

  private void authorize(HttpExchange exchange) throws IOException {
    String cookie = exchange.getRequestHeaders().getFirst("Cookie");
    ChatUser user = sessions.user(cookie);
    String body = new String(readAtMost(exchange.getRequestBody(), ChannelAuthorizer.MAX_BODY_CHARS + 1),
        StandardCharsets.UTF_8);
    String type = String.valueOf(exchange.getRequestHeaders().getFirst("Content-Type"));
    boolean isJson = type.startsWith("application/json");
    AuthResponse answer = isJson ? channels.authorizeJson(body, user) : channels.authorizeForm(body, user);
    String channel = isJson ? "(json body)" : formField(body, "channel_name");
    terminal.accept("auth   " + (answer.isAllowed() ? "allowed " : "DENIED  ") + channel + " for "
        + (user == null ? sessions.whyNobody(cookie) : describe(user))
        + (answer.isAllowed() ? "" : " -> " + answer.status() + " " + answer.body()));
    byte[] bytes = answer.body().getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", AuthResponse.CONTENT_TYPE);
    exchange.sendResponseHeaders(answer.status(), bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  private void asset(HttpExchange exchange) throws IOException {
    try (exchange) {
      String file = ASSETS.get(exchange.getRequestURI().getPath());
      if (file == null || !"GET".equals(exchange.getRequestMethod())) {
        writeJson(exchange, 404, Map.of("error", "no such page"));
        return;
      }
      byte[] bytes;
      try (InputStream in = ChatRoutes.class.getResourceAsStream("/chat-demo/" + file)) {
        if (in == null) {
          // chat.js is built by npm during the Maven build; running from an IDE skips that step.
          writeJson(exchange, 500, Map.of("error", "/chat-demo/" + file + " is not on the classpath; build the page "
              + "with the chat-page profile: ./mvnw -B -q -Pchat-page install -DskipTests (it runs npm ci and esbuild)"));
          return;
        }
        bytes = in.readAllBytes();
      }
      exchange.getResponseHeaders().set("Content-Type", contentType(file));
      exchange.getResponseHeaders().set("Cache-Control", "no-store");
      exchange.sendResponseHeaders(200, bytes.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  private ChatUser currentUser(HttpExchange exchange) {
    return sessions.user(exchange.getRequestHeaders().getFirst("Cookie"));
  }

  private JsonNode readJson(HttpExchange exchange) throws IOException {
    byte[] bytes = readAtMost(exchange.getRequestBody(), MAX_BODY_BYTES + 1);
    if (bytes.length > MAX_BODY_BYTES) {
      return null;
    }
    try {
      return json.readTree(bytes);
    } catch (IOException e) {
      return null;
    }
  }

  private void writeJson(HttpExchange exchange, int status, Object body) throws IOException {
    byte[] bytes = json.writeValueAsBytes(body);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static byte[] readAtMost(InputStream in, int limit) throws IOException {
    return in.readNBytes(limit);
  }

  /** One field of a form body, for the terminal line only: the authorizer parses the body itself. */
  private static String formField(String body, String name) {
    for (String pair : body.split("&")) {
      int equals = pair.indexOf('=');
      if (equals > 0 && pair.substring(0, equals).equals(name)) {
        try {
          return URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
          return "(undecodable)";
        }
      }
    }
    return "(no " + name + ")";
  }

  static String describe(ChatUser user) {
    return user.name() + " (#" + user.id() + ")";
  }

  private static String contentType(String file) {
    if (file.endsWith(".html")) {
      return "text/html; charset=utf-8";
    }
    if (file.endsWith(".css")) {
      return "text/css; charset=utf-8";
    }
    return file.endsWith(".js") ? "text/javascript; charset=utf-8" : "application/json";
  }
}
