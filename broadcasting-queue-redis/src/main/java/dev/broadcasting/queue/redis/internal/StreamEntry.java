package dev.broadcasting.queue.redis.internal;

import dev.broadcasting.BroadcastException;
import dev.broadcasting.Channel;
import dev.broadcasting.RetryPolicy;
import dev.broadcasting.spi.BroadcastMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One queued event as the fields of a stream entry: the message with its id (so a re-delivery
 * carries the same one, and Ably deduplicates it), the connection, the retry policy, and the
 * producer to tell when it settles.
 *
 * @param producer the id of the process that broadcast it, to which the outcome is told
 */
public record StreamEntry(String connection, BroadcastMessage message, RetryPolicy policy, String producer) {
  static final String ID = "id";
  static final String ENTRY = "entry";

  /**
   * Two fields: the message id, readable in XRANGE, and the rest as one value of length-prefixed
   * parts ({@code 6:pusher12:OrderShipped...}): one argument to encode and one to decode instead of
   * a dozen, and any character allowed in any part. Parts: connection, event, channels (joined by
   * spaces, which no channel name holds), socket id, origin, retry policy, producer, payload; an
   * absent socket id or origin is empty.
   */
  public Map<String, String> fields() {
    StringBuilder channels = new StringBuilder();
    for (Channel channel : message.channels()) {
      channels.append(channels.length() == 0 ? "" : " ").append(channel.name());
    }
    String retry = policy.maxAttempts() + " " + policy.baseDelay().toNanos() + " " + policy.maxDelay().toNanos()
        + " " + policy.deadline().toNanos();
    StringBuilder entry = new StringBuilder(message.payload().length() + 128);
    for (String part : new String[] {connection, message.event(), channels.toString(),
        message.socketId() == null ? "" : message.socketId(), message.origin() == null ? "" : message.origin(), retry,
        producer, message.payload()}) {
      entry.append(part.length()).append(':').append(part);
    }
    Map<String, String> fields = new LinkedHashMap<>(4);
    fields.put(ID, message.id());
    fields.put(ENTRY, entry.toString());
    return fields;
  }

  /** The entry {@code streamId} of {@code stream} read back; what is missing or malformed names the entry. */
  public static StreamEntry parse(String stream, String streamId, Map<String, String> fields) {
    try {
      String[] parts = parts(required(fields, ENTRY), 8);
      List<Channel> channels = new ArrayList<>();
      for (String name : parts[2].split(" ")) {
        channels.add(Channel.of(name));
      }
      BroadcastMessage message = BroadcastMessage.restore(required(fields, ID), parts[1], channels, parts[7],
          parts[3].isEmpty() ? null : parts[3], parts[4].isEmpty() ? null : parts[4]);
      String[] retry = parts[5].split(" ");
      RetryPolicy policy = RetryPolicy.builder().maxAttempts(Integer.parseInt(retry[0]))
          .baseDelay(Duration.ofNanos(Long.parseLong(retry[1]))).maxDelay(Duration.ofNanos(Long.parseLong(retry[2])))
          .deadline(Duration.ofNanos(Long.parseLong(retry[3]))).build();
      return new StreamEntry(parts[0], message, policy, parts[6]);
    } catch (RuntimeException e) {
      throw new BroadcastException("Entry " + streamId + " of stream " + stream + " is not a queued broadcast ("
          + e.getMessage() + "); was it written by this library's RedisStreamQueue?", e);
    }
  }

  private static String[] parts(String entry, int count) {
    String[] parts = new String[count];
    int at = 0;
    for (int i = 0; i < count; i++) {
      int colon = entry.indexOf(':', at);
      if (colon < 0) {
        throw new IllegalArgumentException("field 'entry' has " + i + " parts instead of " + count);
      }
      int length = Integer.parseInt(entry.substring(at, colon));
      if (colon + 1 + length > entry.length()) {
        throw new IllegalArgumentException("field 'entry' is cut short in part " + (i + 1) + " of " + count);
      }
      parts[i] = entry.substring(colon + 1, colon + 1 + length);
      at = colon + 1 + length;
    }
    return parts;
  }

  private static String required(Map<String, String> fields, String name) {
    String value = fields.get(name);
    if (value == null) {
      throw new IllegalArgumentException("field '" + name + "' is missing");
    }
    return value;
  }

  /** The partition of an event: the hash of its first channel's name, the same in every JVM. */
  public static int partition(BroadcastMessage message, int partitions) {
    return Math.floorMod(message.channels().get(0).name().hashCode(), partitions);
  }
}
