package dev.broadcasting.server.internal;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.timeout.IdleStateEvent;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The WebSocket side of one connection: checks the app key, protocol version, origin and
 * connection limit once the handshake is done, then reads frames and keeps the connection alive
 * with {@code pusher:ping} when it falls silent.
 */
final class SocketHandler extends SimpleChannelInboundHandler<WebSocketFrame> {
  private static final Logger log = LoggerFactory.getLogger(SocketHandler.class);
  private static final String SUPPORTED_PROTOCOL = "7";

  private final ServerSettings settings;
  private final AppHub hub;
  private final String key;
  private final String protocol;
  private final String origin;
  private PusherSocket socket;
  private ClientProtocol clientProtocol;
  private boolean awaitingPong;
  private long pingsSent;

  SocketHandler(ServerSettings settings, AppHub hub, String key, String protocol, String origin) {
    this.settings = settings;
    this.hub = hub;
    this.key = key;
    this.protocol = protocol;
    this.origin = origin;
  }

  /** Runs on the event loop once the 101 answer is written. */
  void handshakeDone(Channel channel) {
    if (hub == null) {
      refuse(channel, 4001, "App key " + key + " does not exist on this server");
      return;
    }
    if (!SUPPORTED_PROTOCOL.equals(protocol)) {
      refuse(channel, 4007, "Unsupported protocol version \"" + protocol + "\"; this server speaks protocol 7");
      return;
    }
    if (!Origins.allowed(hub.app().allowedOrigins(), origin)) {
      refuse(channel, 4009, "Origin " + origin + " is not allowed to connect to this app");
      return;
    }
    PusherSocket opened = new PusherSocket(channel, hub);
    if (!hub.open(opened)) {
      refuse(channel, 4004, "App " + hub.app().id() + " is over its connection limit of "
          + hub.app().maxConnections());
      return;
    }
    socket = opened;
    clientProtocol = new ClientProtocol(socket);
    log.debug("Socket {} of app {} connected from {}", socket.socketId, hub.app().id(), channel.remoteAddress());
    hub.events().connected(socket.socketId, String.valueOf(channel.remoteAddress()));
    socket.send(PusherMessages.connectionEstablished(socket.socketId, settings.activityTimeout().toSeconds()));
  }

  private static void refuse(Channel channel, int code, String message) {
    log.debug("Refused WebSocket from {}: {} {}", channel.remoteAddress(), code, message);
    channel.write(new TextWebSocketFrame(PusherMessages.error(code, message)));
    channel.writeAndFlush(new CloseWebSocketFrame(code, PusherMessages.closeReason(message)))
        .addListener(ChannelFutureListener.CLOSE);
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
    awaitingPong = false;
    if (frame instanceof TextWebSocketFrame text) {
      if (socket != null) {
        hub.counters().messagesIn.increment();
        clientProtocol.handle(text.content().toString(StandardCharsets.UTF_8));
      }
    } else if (frame instanceof PingWebSocketFrame) {
      ctx.writeAndFlush(new PongWebSocketFrame(frame.content().retain()));
    } else if (frame instanceof CloseWebSocketFrame) {
      ctx.writeAndFlush(new CloseWebSocketFrame(1000, "")).addListener(ChannelFutureListener.CLOSE);
    } else if (!(frame instanceof PongWebSocketFrame)) {
      ctx.writeAndFlush(new CloseWebSocketFrame(1003, "binary frames are not part of the Pusher protocol"))
          .addListener(ChannelFutureListener.CLOSE);
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
    if (!(event instanceof IdleStateEvent)) {
      super.userEventTriggered(ctx, event);
      return;
    }
    if (socket == null) {
      ctx.close();
      return;
    }
    if (awaitingPong) {
      pongMissing();
      return;
    }
    // Silent for a whole activity timeout: ask for a sign of life, and give up if none comes.
    awaitingPong = true;
    long ping = ++pingsSent;
    socket.send(PusherMessages.ping());
    ctx.executor().schedule(() -> {
      // only the latest ping's wait counts: an answered one is followed by a new ping, not a close
      if (awaitingPong && ping == pingsSent) {
        pongMissing();
      }
    }, settings.pongTimeout().toMillis(), TimeUnit.MILLISECONDS);
  }

  private void pongMissing() {
    log.debug("Socket {} sent nothing for {} after a ping; closing", socket.socketId, settings.pongTimeout());
    socket.close(PusherSocket.PONG_NOT_RECEIVED, "Pong reply not received");
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    if (socket != null) {
      hub.closed(socket);
      hub.events().disconnected(socket.socketId);
      log.debug("Socket {} of app {} disconnected", socket.socketId, hub.app().id());
    }
    super.channelInactive(ctx);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof TooLongFrameException) {
      // a message over maxMessageSize that came in fragments: the same 1009 as a single frame gets
      log.debug("Closing socket {}: {}", socket == null ? ctx.channel() : socket.socketId, cause.getMessage());
      ctx.writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.MESSAGE_TOO_BIG.code(),
          "Message larger than " + settings.maxMessageSize() + " bytes")).addListener(ChannelFutureListener.CLOSE);
      return;
    }
    if (cause instanceof CorruptedWebSocketFrameException) {
      log.debug("Closing socket {}: {}", socket == null ? ctx.channel() : socket.socketId, cause.getMessage());
    } else {
      log.debug("Socket {} failed", socket == null ? ctx.channel() : socket.socketId, cause);
    }
    ctx.close();
  }
}
