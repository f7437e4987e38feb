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
  static final String CONNECTION = "connection";
  static final String EVENT = "event";
  static final String CHANNELS = "channels";
  static final String PAYLOAD = "payload";
  static final String SOCKET = "socket";
  static final String ORIGIN = "origin";
  static final String RETRY = "retry";
  static final String PRODUCER = "producer";

  /** The fields in the order they are written; channel names never hold a space, so one joins them. */
  public Map<String, String> fields() {
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put(ID, message.id());
    fields.put(CONNECTION, connection);
    fields.put(EVENT, message.event());
    StringBuilder channels = new StringBuilder();
    for (Channel channel : message.channels()) {
      channels.append(channels.length() == 0 ? "" : " ").append(channel.name());
    }
    fields.put(CHANNELS, channels.toString());
    fields.put(PAYLOAD, message.payload());
    if (message.socketId() != null) {
      fields.put(SOCKET, message.socketId());
    }
    if (message.origin() != null) {
      fields.put(ORIGIN, message.origin());
    }
    fields.put(RETRY, policy.maxAttempts() + " " + policy.baseDelay().toNanos() + " " + policy.maxDelay().toNanos()
        + " " + policy.deadline().toNanos());
    fields.put(PRODUCER, producer);
    return fields;
  }

  /** The entry {@code streamId} of {@code stream} read back; a field missing names the entry. */
  public static StreamEntry parse(String stream, String streamId, Map<String, String> fields) {
    try {
      List<Channel> channels = new ArrayList<>();
      for (String name : required(fields, CHANNELS).split(" ")) {
        channels.add(Channel.of(name));
      }
      BroadcastMessage message = BroadcastMessage.restore(required(fields, ID), required(fields, EVENT), channels,
          required(fields, PAYLOAD), fields.get(SOCKET), fields.get(ORIGIN));
      String[] retry = required(fields, RETRY).split(" ");
      RetryPolicy policy = RetryPolicy.builder().maxAttempts(Integer.parseInt(retry[0]))
          .baseDelay(Duration.ofNanos(Long.parseLong(retry[1]))).maxDelay(Duration.ofNanos(Long.parseLong(retry[2])))
          .deadline(Duration.ofNanos(Long.parseLong(retry[3]))).build();
      return new StreamEntry(required(fields, CONNECTION), message, policy, fields.getOrDefault(PRODUCER, ""));
    } catch (RuntimeException e) {
      throw new BroadcastException("Entry " + streamId + " of stream " + stream + " is not a queued broadcast ("
          + e.getMessage() + "); was it written by this library's RedisStreamQueue?", e);
    }
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
