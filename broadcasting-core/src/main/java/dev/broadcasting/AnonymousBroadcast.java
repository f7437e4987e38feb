package dev.broadcasting;

import java.util.Collection;
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
    return copy(PendingBroadcast.checkSocketId(socketId), connections);
  }

  public AnonymousBroadcast via(String... connections) {
    return copy(socketId, PendingBroadcast.checkConnections(connections));
  }

  /** Queues the broadcast. */
  public CompletableFuture<Void> send() {
    return broadcaster.submit(List.of(request(false)));
  }

  /** Sends at once on the caller's thread, as a {@link ShouldBroadcastNow} event. */
  public CompletableFuture<Void> sendNow() {
    return broadcaster.submit(List.of(request(true)));
  }

  private Request request(boolean now) {
    return new Request(null, AnonymousBroadcast.class, name, channels, payload, socketId, connections, now, null);
  }

  private AnonymousBroadcast copy(String socketId, List<String> connections) {
    AnonymousBroadcast copy = new AnonymousBroadcast(broadcaster, channels, socketId, connections);
    copy.name = name;
    copy.payload = payload;
    return copy;
  }

  /** The channels of {@code on(...)}, each once; a null is named with its index. */
  static List<Channel> checked(Collection<? extends Channel> channels) {
    Objects.requireNonNull(channels, "channels");
    return Request.unique(channels, "on(...) was given");
  }
}
