package dev.broadcasting.server.internal;

import dev.broadcasting.server.internal.dashboard.Dashboard;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.Utf8FrameValidator;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import io.netty.handler.timeout.IdleStateHandler;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first handler of every connection: upgrades {@code /app/{key}} to a Pusher WebSocket,
 * answers {@code /health} and {@code /up}, and hands {@code /apps/{id}/...} to the HTTP API.
 */
final class HttpRouter extends SimpleChannelInboundHandler<FullHttpRequest> {
  private static final Logger log = LoggerFactory.getLogger(HttpRouter.class);

  private final ServerSettings settings;
  private final Map<String, AppHub> hubsById;
  private final Map<String, AppHub> hubsByKey;
  private final boolean tls;
  /** Null when the dashboard is off: its paths are then unknown, as any other. */
  private final Dashboard dashboard;

  HttpRouter(ServerSettings settings, Map<String, AppHub> hubsById, Map<String, AppHub> hubsByKey, boolean tls,
      Dashboard dashboard) {
    this.settings = settings;
    this.hubsById = hubsById;
    this.hubsByKey = hubsByKey;
    this.tls = tls;
    this.dashboard = dashboard;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
    if (!request.decoderResult().isSuccess()) {
      respond(ctx, request, HttpResponseStatus.BAD_REQUEST, error("The request is not valid HTTP"));
      return;
    }
    QueryStringDecoder uri = new QueryStringDecoder(request.uri());
    String path = uri.path();
    if (path.startsWith("/app/") && request.headers().containsValue(HttpHeaderNames.UPGRADE,
        HttpHeaderValues.WEBSOCKET, true)) {
      upgrade(ctx, request, uri);
    } else if (path.equals("/health") || path.equals("/up")) {
      int connections = hubsById.values().stream().mapToInt(AppHub::connectionCount).sum();
      respond(ctx, request, HttpResponseStatus.OK, ClusterHttp.health(hubsById.values(), connections));
    } else if (path.startsWith("/apps/") && ClusterHttp.clustered(hubsById, path)) {
      ClusterHttp.answer(ctx, request, hubsById, path, () -> new HttpApi(hubsById).handle(request, uri));
    } else if (path.startsWith("/apps/")) {
      HttpApi.Answer answer = new HttpApi(hubsById).handle(request, uri);
      respond(ctx, request, answer.status(), answer.body());
    } else if (dashboard != null && (path.equals("/dashboard") || path.startsWith("/dashboard/"))) {
      dashboard.handle(ctx, request, uri);
    } else if (path.startsWith("/app/")) {
      respond(ctx, request, HttpResponseStatus.BAD_REQUEST,
          error("/app/{key} is the WebSocket endpoint; connect with a WebSocket client such as pusher-js"));
    } else {
      respond(ctx, request, HttpResponseStatus.NOT_FOUND, error("No such endpoint: " + request.method() + " " + path
          + ". WebSockets connect to /app/{key}; the HTTP API is under /apps/{id}/; health is GET /health"));
    }
  }

  private void upgrade(ChannelHandlerContext ctx, FullHttpRequest request, QueryStringDecoder uri) {
    String scheme = tls ? "wss://" : "ws://";
    String url = scheme + request.headers().get(HttpHeaderNames.HOST, "localhost") + uri.path();
    WebSocketServerHandshaker handshaker =
        new WebSocketServerHandshakerFactory(url, null, false, settings.maxMessageSize()).newHandshaker(request);
    if (handshaker == null) {
      WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(ctx.channel());
      return;
    }
    String key = uri.path().substring("/app/".length());
    String protocol = uri.parameters().getOrDefault("protocol", java.util.List.of("")).get(0);
    String origin = request.headers().get(HttpHeaderNames.ORIGIN);
    SocketHandler socketHandler = new SocketHandler(settings, hubsByKey.get(key), key, protocol, origin);
    long idleSeconds = settings.activityTimeout().toSeconds();
    ctx.pipeline().addAfter(ctx.name(), "idle", new IdleStateHandler(idleSeconds, 0, 0, TimeUnit.SECONDS));
    // RFC 6455 8.1: a text frame that is not UTF-8 fails the connection with 1007
    ctx.pipeline().addAfter("idle", "utf8", new Utf8FrameValidator(true));
    ctx.pipeline().addAfter("utf8", "frames", new WebSocketFrameAggregator(settings.maxMessageSize()));
    ctx.pipeline().addAfter("frames", "pusher", socketHandler);
    ctx.pipeline().remove(this);
    // a live Pusher connection from here on: the activity timeout watches it, not the opening deadlines
    ctx.pipeline().remove("deadlines");
    ctx.pipeline().remove("first-bytes");
    handshaker.handshake(ctx.channel(), request).addListener(done -> {
      if (done.isSuccess()) {
        socketHandler.handshakeDone(ctx.channel());
      } else {
        log.debug("WebSocket handshake with {} failed", ctx.channel().remoteAddress(), done.cause());
        ctx.channel().close();
      }
    });
  }

  static String error(String message) {
    return Json.write(Json.object().put("error", message));
  }

  static void respond(ChannelHandlerContext ctx, FullHttpRequest request, HttpResponseStatus status, String body) {
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
        Unpooled.wrappedBuffer(body.getBytes(StandardCharsets.UTF_8)));
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json; charset=utf-8");
    HttpUtil.setContentLength(response, response.content().readableBytes());
    boolean keepAlive = HttpUtil.isKeepAlive(request) && !request.method().equals(HttpMethod.CONNECT);
    HttpUtil.setKeepAlive(response, keepAlive);
    var written = ctx.writeAndFlush(response);
    if (!keepAlive) {
      written.addListener(ChannelFutureListener.CLOSE);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug("HTTP connection from {} failed", ctx.channel().remoteAddress(), cause);
    ctx.close();
  }
}
