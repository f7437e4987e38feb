package dev.broadcasting.server.internal;

import dev.broadcasting.BroadcastException;
import dev.broadcasting.Channel;
import dev.broadcasting.pusher.protocol.PusherAuthSigner;
import dev.broadcasting.spi.BroadcastDriver;
import dev.broadcasting.spi.BroadcastMessage;
import dev.broadcasting.spi.ChannelAuthSigner;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The {@code server} driver: publishes into an embedded server's app in the same JVM, with no
 * HTTP in between. Delivery is queued on the sockets' event loops, so {@link #publish} returns at
 * once. Channel authorization answers are signed Pusher-style with the app's key and secret.
 */
public final class ServerDriver implements BroadcastDriver {
  private final AppHub hub;
  private final AutoCloseable owned;
  private final ChannelAuthSigner signer;
  private volatile boolean closed;

  /**
   * @param owned what this driver started and must close with it (a server it created), or null
   * @param encryptionMasterKey the 32-byte key of {@code private-encrypted-} channels, or null
   */
  public ServerDriver(AppHub hub, AutoCloseable owned, byte[] encryptionMasterKey) {
    this.hub = hub;
    this.owned = owned;
    this.signer = new PusherAuthSigner(hub.signer(), encryptionMasterKey);
  }

  @Override
  public CompletableFuture<Void> publish(BroadcastMessage message) {
    if (closed) {
      return CompletableFuture.failedFuture(new BroadcastException("The server driver is closed; "
          + message.describe() + " was not sent"));
    }
    int limit = hub.app().maxEventPayloadBytes();
    if (message.payloadBytes() > limit) {
      return CompletableFuture.failedFuture(new BroadcastException(message.describe() + " has a payload of "
          + message.payloadBytes() + " bytes; app " + hub.app().id() + " allows " + limit
          + " (App.Builder.maxEventPayloadBytes)", null, false, 413));
    }
    List<String> channels = new ArrayList<>(message.channels().size());
    for (Channel channel : message.channels()) {
      String invalid = ChannelKind.invalidReason(channel.name());
      if (invalid != null) {
        return CompletableFuture.failedFuture(new BroadcastException(message.describe() + ": " + invalid
            + "; the server speaks the Pusher protocol, so rename the channel"));
      }
      channels.add(channel.name());
    }
    CompletableFuture<Void> sent = new CompletableFuture<>();
    try {
      hub.publishEverywhere(message.event(), channels, message.payload(), message.socketId())
          .whenComplete((done, error) -> {
            if (error == null) {
              sent.complete(null);
            } else {
              sent.completeExceptionally(unsent(message, error));
            }
          });
    } catch (RuntimeException e) {
      sent.completeExceptionally(unsent(message, e));
    }
    return sent;
  }

  /** A cluster out of reach: retryable, as the HTTP API's 503 says. */
  private static BroadcastException unsent(BroadcastMessage message, Throwable error) {
    Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
        ? error.getCause() : error;
    return new BroadcastException(message.describe() + " was not sent: " + cause.getMessage(), cause, true, 503);
  }

  @Override
  public ChannelAuthSigner authSigner() {
    return signer;
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (owned != null) {
      try {
        owned.close();
      } catch (Exception e) {
        throw new BroadcastException("Closing the embedded broadcast server failed", e);
      }
    }
  }

  @Override
  public String toString() {
    return "ServerDriver{app=" + hub.app().id() + "}";
  }
}
