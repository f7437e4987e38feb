package dev.broadcasting.server.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection: its socket id, what it subscribed to, who it signed in as, and its
 * outbound side. Subscriptions and sign-in are only touched on the connection's event loop; {@link
 * #send} may be called from any thread.
 */
final class PusherSocket {
  private static final Logger log = LoggerFactory.getLogger(PusherSocket.class);
  private static final SecureRandom RANDOM = new SecureRandom();

  /** Close codes of the Pusher protocol that this server uses. */
  static final int OVER_CAPACITY = 4100;
  static final int PONG_NOT_RECEIVED = 4201;
  /** pusher-js reconnects at once on 4200-4299. */
  static final int GOING_AWAY = 4200;

  final Channel channel;
  final String socketId;
  final AppHub hub;
  /** Channel name to the presence user id it joined as, or "" for other channels. */
  final Map<String, String> subscriptions = new HashMap<>();
  final ClientEventLimiter clientEvents;
  String userId;
  private volatile boolean closing;

  PusherSocket(Channel channel, AppHub hub) {
    this.channel = channel;
    this.hub = hub;
    this.socketId = newSocketId();
    this.clientEvents = new ClientEventLimiter(hub.app().clientEventsPerSecond());
  }

  void send(String text) {
    hub.counters().messagesOut.increment();
    send(Unpooled.wrappedBuffer(text.getBytes(StandardCharsets.UTF_8)));
  }

  /**
   * Queues {@code content} as one text frame, taking ownership of it. A socket whose outbound buffer
   * is already past its limit is closed instead, so a slow reader costs memory up to that limit only.
   */
  void send(ByteBuf content) {
    if (closing || !channel.isActive()) {
      content.release();
      return;
    }
    if (!channel.isWritable()) {
      content.release();
      closing = true;
      log.warn("Closing socket {} of app {} from {}: more than {} bytes wait to be written to it; the client "
          + "reads more slowly than events arrive", socketId, hub.app().id(), channel.remoteAddress(),
          hub.settings().maxOutboundBytes());
      channel.close();
      return;
    }
    channel.writeAndFlush(new TextWebSocketFrame(content), channel.voidPromise());
  }

  /** Sends a Pusher error, then a close frame with the same code, then closes. */
  void refuse(int code, String message) {
    if (closing) {
      return;
    }
    send(PusherMessages.error(code, message));
    close(code, message);
  }

  /** Sends a close frame, then closes; the future completes when the connection is closed. */
  ChannelFuture close(int code, String reason) {
    if (!closing) {
      closing = true;
      channel.writeAndFlush(new CloseWebSocketFrame(code, PusherMessages.closeReason(reason)))
          .addListener(ChannelFutureListener.CLOSE);
    }
    return channel.closeFuture();
  }

  boolean isSubscribed(String channelName) {
    return subscriptions.containsKey(channelName);
  }

  private static String newSocketId() {
    return (RANDOM.nextInt(1_000_000_000) + 1) + "." + (RANDOM.nextInt(1_000_000_000) + 1);
  }

  @Override
  public String toString() {
    return "PusherSocket{" + socketId + ", app=" + hub.app().id() + "}";
  }
}
