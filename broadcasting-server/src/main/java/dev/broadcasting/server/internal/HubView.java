package dev.broadcasting.server.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;

/**
 * What is connected to one app now, read for the dashboard: occupied channels with their counts,
 * a presence channel's members, and one socket's subscriptions. Read-only; a socket's
 * subscriptions are read on its own event loop, where they are written.
 *
 * <pre>{@code
 * Map<String, List<String>> subscriptions = new HubView(hub).subscriptions("1234.5678");
 * }</pre>
 */
public final class HubView {
  private final AppHub hub;

  public HubView(AppHub hub) {
    this.hub = hub;
  }

  /** The UTF-8 length of {@code text}, without encoding it. */
  public static int utf8Length(String text) {
    return Json.utf8Length(text);
  }

  /** Occupied channels, sorted by name, with {subscriptions, users}; at most {@code limit} of them. */
  public Map<String, int[]> channels(String prefix, int limit) {
    Map<String, int[]> all = hub.occupiedChannels(prefix);
    if (all.size() <= limit) {
      return all;
    }
    Map<String, int[]> first = new java.util.TreeMap<>();
    for (Map.Entry<String, int[]> entry : all.entrySet()) {
      if (first.size() == limit) {
        break;
      }
      first.put(entry.getKey(), entry.getValue());
    }
    return first;
  }

  /** A presence channel's {@code {"ids","hash","count"}}, as its subscribers get it; empty when unoccupied. */
  public JsonNode presence(String channel) {
    ChannelState state = hub.channel(channel);
    if (state == null || ChannelKind.of(channel) != ChannelKind.PRESENCE) {
      return Json.object().putArray("ids");
    }
    return Json.parseOrNull(state.presenceSnapshot()).get("presence");
  }

  /**
   * The channels socket {@code socketId} is subscribed to (with the presence user id it joined as,
   * or "" on other channels) and the user it signed in as; completes with null when no such socket
   * is open. Read on the socket's event loop, without blocking the caller's.
   */
  public CompletableFuture<Subscriptions> subscriptions(String socketId) {
    PusherSocket socket = hub.socket(socketId);
    if (socket == null) {
      return CompletableFuture.completedFuture(null);
    }
    CompletableFuture<Subscriptions> read = new CompletableFuture<>();
    try {
      socket.channel.eventLoop().execute(() ->
          read.complete(new Subscriptions(Map.copyOf(socket.subscriptions), socket.userId)));
    } catch (RejectedExecutionException stopped) {
      read.complete(null);
    }
    return read;
  }

  /**
   * Publishes a test event to {@code channel}, as the HTTP API would; returns why it was refused
   * (an invalid channel name, data over the app's limit), or null when it was published.
   */
  public String publish(String event, String channel, String data) {
    String invalid = ChannelKind.invalidReason(channel);
    if (invalid != null) {
      return invalid;
    }
    if (event == null || event.isBlank() || event.length() > 200) {
      return "The event name must be 1 to 200 characters";
    }
    int bytes = Json.utf8Length(data);
    if (bytes > hub.app().maxEventPayloadBytes()) {
      return "data is " + bytes + " bytes; this app allows " + hub.app().maxEventPayloadBytes();
    }
    hub.publish(event, List.of(channel), data, null);
    return null;
  }

  /** One socket's subscriptions: channel to presence user id ("" elsewhere), and its signed-in user or null. */
  public record Subscriptions(Map<String, String> channels, String userId) {
    public List<String> names() {
      return channels.keySet().stream().sorted().toList();
    }
  }
}
