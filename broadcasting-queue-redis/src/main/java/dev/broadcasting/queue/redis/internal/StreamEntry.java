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
    Map<String, String> fields = new LinkedHashMap<>(4);
    fields.put(ID, message.id());
    fields.put(ENTRY, encoded());
    return fields;
  }

  /** The value of the {@code entry} field, built at its exact size: no copy as it grows. */
  public String encoded() {
    String channels = channels(message.channels());
    String retry = retryText(policy);
    String socketId = message.socketId() == null ? "" : message.socketId();
    String origin = message.origin() == null ? "" : message.origin();
    String[] parts = {connection, message.event(), channels, socketId, origin, retry, producer, message.payload()};
    int size = 0;
    for (String part : parts) {
      size += part.length() + 11; // the longest length prefix and its colon
    }
    StringBuilder entry = new StringBuilder(size);
    for (String part : parts) {
      entry.append(part.length()).append(':').append(part);
    }
    return entry.toString();
  }

  private static String channels(List<Channel> channels) {
    if (channels.size() == 1) {
      return channels.get(0).name();
    }
    StringBuilder joined = new StringBuilder();
    for (Channel channel : channels) {
      joined.append(joined.length() == 0 ? "" : " ").append(channel.name());
    }
    return joined.toString();
  }

  /**
   * A policy and its text, the last one written or read: nearly every event of an application has
   * the same policy, which then is neither formatted nor parsed (nor built) again.
   */
  private record Retry(RetryPolicy policy, String text) {}

  private static volatile Retry lastRetry = new Retry(RetryPolicy.defaults(), text(RetryPolicy.defaults()));

  private static String retryText(RetryPolicy policy) {
    Retry last = lastRetry;
    if (last.policy().equals(policy)) {
      return last.text();
    }
    Retry now = new Retry(policy, text(policy));
    lastRetry = now;
    return now.text();
  }

  private static RetryPolicy retryPolicy(String text) {
    Retry last = lastRetry;
    if (last.text().equals(text)) {
      return last.policy();
    }
    String[] retry = text.split(" ");
    RetryPolicy policy = RetryPolicy.builder().maxAttempts(Integer.parseInt(retry[0]))
        .baseDelay(Duration.ofNanos(Long.parseLong(retry[1]))).maxDelay(Duration.ofNanos(Long.parseLong(retry[2])))
        .deadline(Duration.ofNanos(Long.parseLong(retry[3]))).build();
    lastRetry = new Retry(policy, text);
    return policy;
  }

  private static String text(RetryPolicy policy) {
    return policy.maxAttempts() + " " + policy.baseDelay().toNanos() + " " + policy.maxDelay().toNanos() + " "
        + policy.deadline().toNanos();
  }

  /** The entry {@code streamId} of {@code stream} read back; what is missing or malformed names the entry. */
  public static StreamEntry parse(String stream, String streamId, Map<String, String> fields) {
    try {
      String[] parts = parts(required(fields, ENTRY), 8);
      List<Channel> channels;
      if (parts[2].indexOf(' ') < 0) {
        channels = List.of(Channel.of(parts[2]));
      } else {
        channels = new ArrayList<>();
        for (String name : parts[2].split(" ")) {
          channels.add(Channel.of(name));
        }
      }
      BroadcastMessage message = BroadcastMessage.restore(required(fields, ID), parts[1], channels, parts[7],
          parts[3].isEmpty() ? null : parts[3], parts[4].isEmpty() ? null : parts[4]);
      return new StreamEntry(parts[0], message, retryPolicy(parts[5]), parts[6]);
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
