package dev.broadcasting;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * A broadcast with no event class, as Laravel's {@code Broadcast::on(...)->as(...)->with(...)->send()}.
 *
 * <pre>{@code
 * broadcaster.on(new PrivateChannel("orders." + id)).as("OrderPlaced").with(Map.of("id", id)).send();
 * }</pre>
 */
public final class AnonymousBroadcast {
  private final Broadcaster broadcaster;
  private final List<Channel> channels;
  private final String socketId;
  private final List<String> connections;
  private String name = "AnonymousEvent";
  private Object payload = Map.of();

  AnonymousBroadcast(Broadcaster broadcaster, List<Channel> channels, String socketId, List<String> connections) {
    this.broadcaster = broadcaster;
    this.channels = channels;
    this.socketId = socketId;
    this.connections = connections;
  }

  /** The event name; {@code AnonymousEvent} by default, as in Laravel. */
  public AnonymousBroadcast as(String name) {
    Objects.requireNonNull(name, "name");
    if (name.isBlank()) {
      throw new IllegalArgumentException("event name must not be blank");
    }
    this.name = name;
    return this;
  }

  /** The payload: a record, a POJO or a Map that serializes to a JSON object. Empty by default. */
  public AnonymousBroadcast with(Object payload) {
    this.payload = payload;
    return this;
  }

  public AnonymousBroadcast toOthers(String socketId) {
    PendingBroadcast pending = new PendingBroadcast(broadcaster, null, connections).toOthers(socketId);
    AnonymousBroadcast copy = new AnonymousBroadcast(broadcaster, channels, pending.socketId(), connections);
    return copy.as(name).with(payload);
  }

  public AnonymousBroadcast via(String... connections) {
    PendingBroadcast pending = new PendingBroadcast(broadcaster, socketId, List.of()).via(connections);
    AnonymousBroadcast copy = new AnonymousBroadcast(broadcaster, channels, socketId, pending.connections());
    return copy.as(name).with(payload);
  }

  /** Queues the broadcast. */
  public CompletableFuture<Void> send() {
    return broadcaster.send(null, AnonymousBroadcast.class, name, channels, payload, socketId, connections, false, null);
  }

  /** Sends at once on the caller's thread. */
  public CompletableFuture<Void> sendNow() {
    return broadcaster.send(null, AnonymousBroadcast.class, name, channels, payload, socketId, connections, true, null);
  }
}
