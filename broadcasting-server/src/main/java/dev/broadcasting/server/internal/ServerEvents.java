package dev.broadcasting.server.internal;

/**
 * What happens in one app, told as it happens, for the dashboard's event log. Called on socket
 * event loops, publishing threads and the webhook thread: an implementation must be fast and
 * never block. {@link #NONE}, the default, does nothing.
 *
 * <pre>{@code
 * hub.events(new ServerEvents() {
 *   public void subscribed(String socketId, String channel) { log.info("{} joined {}", socketId, channel); }
 * });
 * }</pre>
 */
public interface ServerEvents {
  ServerEvents NONE = new ServerEvents() {};

  default void connected(String socketId, String remoteAddress) {}

  default void disconnected(String socketId) {}

  /** An event published to {@code channel} (HTTP API, in-process driver); {@code data} as sent. */
  default void published(String event, String channel, String data, String exceptSocketId) {}

  default void subscribed(String socketId, String channel) {}

  /** A subscription or client event refused, with the status or code the client got and why. */
  default void refused(String socketId, String channel, int status, String reason) {}

  default void clientEvent(String socketId, String channel, String event, int bytes) {}

  /** A webhook request answered 2xx; {@code url} is shown without user info or query. */
  default void webhookSent(String url, int events) {}

  /** A webhook request failed; it is retried unless {@code why} says it was given up. */
  default void webhookFailed(String url, int events, String why) {}
}
