package dev.broadcasting.server.internal.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.broadcasting.server.App;
import dev.broadcasting.server.internal.HubView;
import dev.broadcasting.server.internal.dashboard.Dashboard.Board;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.cookie.ServerCookieDecoder;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP side of the dashboard, under {@code /dashboard}: the page (three static files), the
 * login, and a JSON API that the page reads, with figures and the log pushed over Server-Sent
 * Events. Every API call needs the session cookie of a login, and sees only the apps that login
 * may see. No answer ever holds an app's secret; log lines name no user input.
 *
 * <pre>{@code
 * GET  /dashboard/api/apps/1/channels           {"channels":[{"name","subscriptions","users"}],"total"}
 * POST /dashboard/api/apps/1/events             {"channel","name","data"}
 * }</pre>
 */
final class DashboardHttp {
  private static final Logger log = LoggerFactory.getLogger(DashboardHttp.class);
  private static final String COOKIE = "broadcast_dashboard";
  private static final String JSON_EMPTY = "{}";
  private static final Map<String, String> FILES = Map.of(
      "index.html", "text/html; charset=utf-8",
      "dashboard.js", "text/javascript; charset=utf-8",
      "dashboard.css", "text/css; charset=utf-8");

  private final Dashboard dashboard;
  private final Sessions sessions;
  private final byte[] user;
  private final byte[] password;
  private final boolean tls;

  DashboardHttp(Dashboard dashboard, Sessions sessions, String user, String password, boolean tls) {
    this.dashboard = dashboard;
    this.sessions = sessions;
    this.user = user == null ? null : user.getBytes(StandardCharsets.UTF_8);
    this.password = password == null ? null : password.getBytes(StandardCharsets.UTF_8);
    this.tls = tls;
  }

  void handle(ChannelHandlerContext ctx, FullHttpRequest request, QueryStringDecoder uri) {
    String path = uri.path();
    boolean get = request.method().equals(HttpMethod.GET);
    boolean post = request.method().equals(HttpMethod.POST);
    if (get && (path.equals("/dashboard") || path.equals("/dashboard/"))) {
      file(ctx, request, "index.html");
    } else if (get && path.startsWith("/dashboard/") && FILES.containsKey(path.substring("/dashboard/".length()))) {
      file(ctx, request, path.substring("/dashboard/".length()));
    } else if (post && path.equals("/dashboard/login")) {
      login(ctx, request);
    } else if (post && path.equals("/dashboard/logout")) {
      sessions.close(token(request));
      json(ctx, request, HttpResponseStatus.OK, JSON_EMPTY, "Set-Cookie", cookie("", 0));
    } else if (path.startsWith("/dashboard/api/")) {
      api(ctx, request, uri, path.substring("/dashboard/api/".length()).split("/", -1));
    } else {
      error(ctx, request, HttpResponseStatus.NOT_FOUND, "No such dashboard page: " + request.method() + " " + path);
    }
  }

  private void login(ChannelHandlerContext ctx, FullHttpRequest request) {
    if (!sessions.loginsOpen()) {
      error(ctx, request, HttpResponseStatus.TOO_MANY_REQUESTS, "Too many failed logins; wait a minute");
      return;
    }
    JsonNode body = parse(request);
    String givenUser = body == null ? null : body.path("user").asText(null);
    String givenPassword = body == null ? null : body.path("password").asText(null);
    Set<String> apps = givenUser == null || givenPassword == null ? null : appsFor(givenUser, givenPassword);
    if (apps == null) {
      sessions.failedLogin();
      // neither what was typed nor why it failed: a password typed in the user field must not reach the log
      log.warn("Dashboard login refused from {}", ctx.channel().remoteAddress());
      error(ctx, request, HttpResponseStatus.UNAUTHORIZED, "Wrong user or password. Log in with the dashboard's "
          + "user and password, or with an app's key and secret");
      return;
    }
    String token = sessions.open(apps);
    log.info("Dashboard login from {} for apps {}", ctx.channel().remoteAddress(), apps);
    json(ctx, request, HttpResponseStatus.OK, write(appsJson(apps)), "Set-Cookie", cookie(token, Sessions.HOURS * 3600));
  }

  /** The apps these credentials see: every app for the operator, one app for its key and secret; null when wrong. */
  private Set<String> appsFor(String givenUser, String givenPassword) {
    byte[] u = givenUser.getBytes(StandardCharsets.UTF_8);
    byte[] p = givenPassword.getBytes(StandardCharsets.UTF_8);
    if (user != null && MessageDigest.isEqual(user, u) & MessageDigest.isEqual(password, p)) {
      return new LinkedHashSet<>(dashboard.boards().keySet());
    }
    for (Board board : dashboard.boards().values()) {
      App app = board.hub().app();
      if (MessageDigest.isEqual(app.key().getBytes(StandardCharsets.UTF_8), u)
          & MessageDigest.isEqual(app.secret().getBytes(StandardCharsets.UTF_8), p)) {
        return Set.of(app.id());
      }
    }
    return null;
  }

  private void api(ChannelHandlerContext ctx, FullHttpRequest request, QueryStringDecoder uri, String[] parts) {
    Set<String> apps = sessions.apps(token(request));
    if (apps == null) {
      error(ctx, request, HttpResponseStatus.UNAUTHORIZED, "Log in first: POST /dashboard/login");
      return;
    }
    boolean get = request.method().equals(HttpMethod.GET);
    if (get && parts.length == 1 && parts[0].equals("apps")) {
      json(ctx, request, HttpResponseStatus.OK, write(appsJson(apps)));
      return;
    }
    if (parts.length < 3 || !parts[0].equals("apps")) {
      error(ctx, request, HttpResponseStatus.NOT_FOUND, "No such dashboard endpoint: " + uri.path());
      return;
    }
    Board board = apps.contains(parts[1]) ? dashboard.boards().get(parts[1]) : null;
    if (board == null) {
      error(ctx, request, HttpResponseStatus.NOT_FOUND, "No app with id " + parts[1] + " for this login");
      return;
    }
    String what = parts[2];
    if (get && parts.length == 3 && what.equals("stream")) {
      stream(ctx, request, board);
    } else if (get && parts.length == 3 && what.equals("history")) {
      json(ctx, request, HttpResponseStatus.OK, write(historyJson(board)));
    } else if (get && parts.length == 3 && what.equals("log")) {
      int limit = Math.min(Dashboard.LOG_ENTRIES, Math.max(1, intParam(uri, "limit", 200)));
      List<EventLog.Entry> entries = board.log().since(0, param(uri, "channel"), param(uri, "kind"), limit);
      json(ctx, request, HttpResponseStatus.OK, write(Dashboard.entriesJson(entries)));
    } else if (get && parts.length == 3 && what.equals("channels")) {
      String prefix = param(uri, "prefix");
      json(ctx, request, HttpResponseStatus.OK, write(Dashboard.channelsJson(board, prefix == null ? "" : prefix)));
    } else if (get && parts.length == 5 && what.equals("channels") && parts[4].equals("members")) {
      json(ctx, request, HttpResponseStatus.OK, write(board.view().presence(decode(parts[3]))));
    } else if (get && parts.length == 4 && what.equals("sockets")) {
      socket(ctx, request, board, decode(parts[3]));
    } else if (request.method().equals(HttpMethod.POST) && parts.length == 3 && what.equals("events")) {
      testEvent(ctx, request, board);
    } else {
      error(ctx, request, HttpResponseStatus.NOT_FOUND, "No such dashboard endpoint: " + request.method() + " "
          + uri.path());
    }
  }

  private void socket(ChannelHandlerContext ctx, FullHttpRequest request, Board board, String socketId) {
    boolean keepAlive = HttpUtil.isKeepAlive(request);
    board.view().subscriptions(socketId).whenComplete((found, error) -> {
      if (found == null) {
        json(ctx, keepAlive, HttpResponseStatus.NOT_FOUND, write(Dashboard.JSON.createObjectNode().put("error",
            "No open connection with socket id " + socketId + " in app " + board.hub().app().id())));
        return;
      }
      ObjectNode root = Dashboard.JSON.createObjectNode().put("socket_id", socketId);
      if (found.userId() != null) {
        root.put("user_id", found.userId());
      }
      ArrayNode channels = root.putArray("channels");
      for (String name : found.names()) {
        ObjectNode one = channels.addObject().put("name", name);
        if (!found.channels().get(name).isEmpty()) {
          one.put("user_id", found.channels().get(name));
        }
      }
      json(ctx, keepAlive, HttpResponseStatus.OK, write(root));
    });
  }

  private void testEvent(ChannelHandlerContext ctx, FullHttpRequest request, Board board) {
    JsonNode body = parse(request);
    if (body == null || !body.isObject()) {
      error(ctx, request, HttpResponseStatus.BAD_REQUEST, "Send a JSON object {channel, name, data}");
      return;
    }
    JsonNode data = body.get("data");
    String refused = board.view().publish(body.path("name").asText(""), body.path("channel").asText(""),
        data == null || data.isNull() ? "{}" : data.isTextual() ? data.asText() : write(data));
    if (refused != null) {
      error(ctx, request, HttpResponseStatus.BAD_REQUEST, refused);
      return;
    }
    json(ctx, request, HttpResponseStatus.OK, JSON_EMPTY);
  }

  private void stream(ChannelHandlerContext ctx, FullHttpRequest request, Board board) {
    if (!dashboard.watch(ctx.channel(), board.hub().app().id())) {
      error(ctx, request, HttpResponseStatus.SERVICE_UNAVAILABLE, Dashboard.MAX_STREAMS
          + " dashboard pages are open already; close one");
      return;
    }
    HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8")
        .set(HttpHeaderNames.CACHE_CONTROL, "no-store");
    HttpUtil.setTransferEncodingChunked(response, true);
    StringBuilder first = new StringBuilder();
    Dashboard.event(first, "history", historyJson(board));
    ctx.write(response);
    ctx.writeAndFlush(new io.netty.handler.codec.http.DefaultHttpContent(
        Unpooled.copiedBuffer(first, StandardCharsets.UTF_8)));
  }

  private ObjectNode appsJson(Set<String> apps) {
    ObjectNode root = Dashboard.JSON.createObjectNode();
    ArrayNode list = root.putArray("apps");
    for (String id : apps) {
      // the key is public (clients connect with it); the secret is never sent
      list.addObject().put("id", id).put("key", dashboard.boards().get(id).hub().app().key());
    }
    return root;
  }

  private static ObjectNode historyJson(Board board) {
    ObjectNode root = Dashboard.JSON.createObjectNode();
    ArrayNode series = root.putArray("series");
    for (String name : FigureHistory.SERIES) {
      series.add(name);
    }
    ArrayNode samples = root.putArray("samples");
    for (double[] row : board.history().last(FigureHistory.CAPACITY)) {
      ArrayNode one = samples.addArray();
      for (double value : row) {
        one.add(value);
      }
    }
    return root;
  }

  private void file(ChannelHandlerContext ctx, FullHttpRequest request, String name) {
    byte[] bytes;
    try (InputStream in = DashboardHttp.class.getResourceAsStream("/dev/broadcasting/server/dashboard/" + name)) {
      if (in == null) {
        throw new IOException("not on the class path");
      }
      bytes = in.readAllBytes();
    } catch (IOException e) {
      log.error("Dashboard file {} could not be read: {}", name, e.getMessage());
      error(ctx, request, HttpResponseStatus.INTERNAL_SERVER_ERROR, "The dashboard page is missing from this build");
      return;
    }
    respond(ctx, request, HttpResponseStatus.OK, bytes, FILES.get(name));
  }

  private String cookie(String token, int maxAgeSeconds) {
    return COOKIE + "=" + token + "; Path=/dashboard; Max-Age=" + maxAgeSeconds + "; HttpOnly; SameSite=Strict"
        + (tls ? "; Secure" : "");
  }

  private static String token(FullHttpRequest request) {
    String header = request.headers().get(HttpHeaderNames.COOKIE);
    if (header == null) {
      return null;
    }
    return ServerCookieDecoder.STRICT.decode(header).stream().filter(c -> c.name().equals(COOKIE))
        .map(io.netty.handler.codec.http.cookie.Cookie::value).findFirst().orElse(null);
  }

  private static JsonNode parse(FullHttpRequest request) {
    try {
      return Dashboard.JSON.readTree(ByteBufUtil.getBytes(request.content()));
    } catch (IOException e) {
      return null;
    }
  }

  private static String param(QueryStringDecoder uri, String name) {
    List<String> values = uri.parameters().get(name);
    return values == null || values.isEmpty() || values.get(0).isEmpty() ? null : values.get(0);
  }

  private static int intParam(QueryStringDecoder uri, String name, int fallback) {
    try {
      String value = param(uri, name);
      return value == null ? fallback : Integer.parseInt(value);
    } catch (NumberFormatException e) {
      return fallback;
    }
  }

  private static String decode(String part) {
    return QueryStringDecoder.decodeComponent(part);
  }

  private static String write(Object json) {
    try {
      return Dashboard.JSON.writeValueAsString(json);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void error(ChannelHandlerContext ctx, FullHttpRequest request, HttpResponseStatus status,
      String message) {
    json(ctx, request, status, write(Dashboard.JSON.createObjectNode().put("error", message)));
  }

  private static void json(ChannelHandlerContext ctx, FullHttpRequest request, HttpResponseStatus status, String body,
      String... headers) {
    json(ctx, HttpUtil.isKeepAlive(request), status, body, headers);
  }

  /** As above, for an answer written later, after the request was released. */
  private static void json(ChannelHandlerContext ctx, boolean keepAlive, HttpResponseStatus status, String body,
      String... headers) {
    FullHttpResponse response = response(status, body.getBytes(StandardCharsets.UTF_8),
        "application/json; charset=utf-8");
    for (int i = 0; i < headers.length; i += 2) {
      response.headers().add(headers[i], headers[i + 1]);
    }
    send(ctx, keepAlive, response);
  }

  private static void respond(ChannelHandlerContext ctx, FullHttpRequest request, HttpResponseStatus status,
      byte[] body, String contentType) {
    send(ctx, HttpUtil.isKeepAlive(request), response(status, body, contentType));
  }

  private static FullHttpResponse response(HttpResponseStatus status, byte[] body, String contentType) {
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType)
        .set(HttpHeaderNames.CACHE_CONTROL, "no-store")
        .set("X-Content-Type-Options", "nosniff")
        .set("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'");
    HttpUtil.setContentLength(response, body.length);
    return response;
  }

  private static void send(ChannelHandlerContext ctx, boolean keepAlive, FullHttpResponse response) {
    HttpUtil.setKeepAlive(response, keepAlive);
    var written = ctx.writeAndFlush(response);
    if (!keepAlive) {
      written.addListener(ChannelFutureListener.CLOSE);
    }
  }
}
