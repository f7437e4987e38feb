package dev.broadcasting;

import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * A broadcast being set up: which client to leave out and which connections to use. Immutable;
 * each method returns a new one.
 *
 * <pre>{@code
 * broadcaster.via("pusher", "redis").toOthers(socketId).broadcast(new MessagePosted(room, text));
 * }</pre>
 */
public final class PendingBroadcast {
  private static final int MAX_SOCKET_ID_LENGTH = 4096;

  private final Broadcaster broadcaster;
  private final String socketId;
  private final List<String> connections;

  PendingBroadcast(Broadcaster broadcaster, String socketId, List<String> connections) {
    this.broadcaster = broadcaster;
    this.socketId = socketId;
    this.connections = connections;
  }

  /** Leaves out the client with {@code socketId}: Pusher's {@code 1234.5678}, or an Ably Echo socket id. */
  public PendingBroadcast toOthers(String socketId) {
    return new PendingBroadcast(broadcaster, checkSocketId(socketId), connections);
  }

  /** Uses the named connections instead of the event's own or the default. */
  public PendingBroadcast via(String... connections) {
    return new PendingBroadcast(broadcaster, socketId, checkConnections(connections));
  }

  public CompletableFuture<Void> broadcast(ShouldBroadcast event) {
    return broadcaster.submit(Request.all(List.of(Objects.requireNonNull(event, "event")), socketId, connections));
  }

  /** As {@link Broadcaster#broadcastAll}, leaving out this client and on these connections. */
  public CompletableFuture<Void> broadcastAll(Collection<? extends ShouldBroadcast> events) {
    return broadcaster.submit(Request.all(events, socketId, connections));
  }

  public AnonymousBroadcast on(Channel... channels) {
    return on(Arrays.asList(channels));
  }

  public AnonymousBroadcast on(Collection<? extends Channel> channels) {
    return new AnonymousBroadcast(broadcaster, AnonymousBroadcast.checked(channels), socketId, connections);
  }

  static String checkSocketId(String socketId) {
    Objects.requireNonNull(socketId, "socketId");
    if (socketId.isBlank() || socketId.length() > MAX_SOCKET_ID_LENGTH) {
      throw new IllegalArgumentException("socketId must be the client's socket id (e.g. \"1234.5678\"), but was "
          + (socketId.isBlank() ? "blank" : socketId.length() + " characters long"));
    }
    return socketId;
  }

  static List<String> checkConnections(String... connections) {
    if (connections.length == 0) {
      throw new IllegalArgumentException("via() needs at least one connection name");
    }
    for (int i = 0; i < connections.length; i++) {
      if (connections[i] == null) {
        throw new NullPointerException("via() got a null connection name at index " + i);
      }
    }
    return Request.distinct(Arrays.asList(connections));
  }
}
