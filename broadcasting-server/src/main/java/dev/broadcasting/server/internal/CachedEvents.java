package dev.broadcasting.server.internal;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The last event of each cache channel ({@code cache-*} and its private, encrypted and presence
 * forms), kept 30 minutes as Pusher keeps it, for at most {@code maxChannels} channels: any signed
 * caller can publish to any number of channel names, so when a new channel would pass the bound,
 * the channel written longest ago is forgotten and its next subscriber gets a cache miss.
 */
final class CachedEvents {
  private static final long TTL_NANOS = TimeUnit.MINUTES.toNanos(30);

  private record Cached(String message, long expiresAtNanos) {}

  private final Map<String, Cached> byChannel;

  CachedEvents(int maxChannels) {
    this.byChannel = new LinkedHashMap<>(16, 0.75f, false) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Cached> eldest) {
        return size() > maxChannels;
      }
    };
  }

  synchronized void put(String channel, String message) {
    // removed first so that the insertion order is the order of the last write
    byChannel.remove(channel);
    byChannel.put(channel, new Cached(message, System.nanoTime() + TTL_NANOS));
  }

  /** The last event of {@code channel}, or null when there is none or it expired. */
  synchronized String get(String channel) {
    Cached cached = byChannel.get(channel);
    if (cached == null) {
      return null;
    }
    if (System.nanoTime() - cached.expiresAtNanos() > 0) {
      byChannel.remove(channel);
      return null;
    }
    return cached.message();
  }
}
