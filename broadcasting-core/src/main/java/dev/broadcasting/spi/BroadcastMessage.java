package dev.broadcasting.spi;

import dev.broadcasting.Channel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One event as a driver receives it: a name, the channels, and the payload serialized once as a
 * JSON object. The same message, with the same {@link #id()}, is handed to the driver again on
 * every retry, so drivers with idempotent publishing (Ably) can derive their ids from it.
 *
 * <pre>{@code
 * BroadcastMessage message = BroadcastMessage.of("OrderShipped", List.of(new Channel("orders")), "{\"id\":42}");
 * }</pre>
 */
public final class BroadcastMessage {
  /** Made on first use: most drivers never read it. */
  private volatile String id;
  private final String event;
  private final List<Channel> channels;
  private final String payload;
  private final String socketId;
  /** The event's class name, or null for an anonymous broadcast: for error messages only. */
  private final String origin;
  private int payloadBytes = -1;

  private BroadcastMessage(String event, List<? extends Channel> channels, String payload, String socketId,
      String origin) {
    this.event = Objects.requireNonNull(event, "event");
    this.channels = List.copyOf(channels);
    this.payload = Objects.requireNonNull(payload, "payload");
    this.socketId = socketId;
    this.origin = origin;
  }

  /**
   * A message with a fresh random id.
   *
   * @param payload the payload as JSON object text, e.g. {@code {"orderId":42}}
   */
  public static BroadcastMessage of(String event, List<? extends Channel> channels, String payload) {
    return of(event, channels, payload, null, null);
  }

  /**
   * A message with a fresh random id, excluding the client {@code socketId} (or none for null),
   * made from an event of class {@code eventClass} (or null for an anonymous broadcast).
   */
  public static BroadcastMessage of(String event, List<? extends Channel> channels, String payload,
      String socketId, Class<?> eventClass) {
    return new BroadcastMessage(event, channels, payload, socketId, eventClass == null ? null : eventClass.getName());
  }

  /**
   * A message read back from a durable queue ({@link BroadcastQueue}), keeping the {@code id} it
   * was given when first broadcast, so a re-delivery carries the same id.
   *
   * @param origin the event's class name as {@link #origin()} gave it, or null
   */
  public static BroadcastMessage restore(String id, String event, List<? extends Channel> channels, String payload,
      String socketId, String origin) {
    BroadcastMessage message = new BroadcastMessage(event, channels, payload, socketId, origin);
    message.id = Objects.requireNonNull(id, "id");
    return message;
  }

  /** The event's class name, or null for an anonymous broadcast. */
  public String origin() {
    return origin;
  }

  /** A random id of 12 bytes, base64url: unique per broadcast, kept across retries. */
  public String id() {
    String value = id;
    if (value == null) {
      synchronized (this) {
        value = id;
        if (value == null) {
          value = newId();
          id = value;
        }
      }
    }
    return value;
  }

  /** The event name, as clients listen for it. */
  public String event() {
    return event;
  }

  public List<Channel> channels() {
    return channels;
  }

  /** The payload: JSON object text, serialized once for every channel and connection. */
  public String payload() {
    return payload;
  }

  /** The size of the payload in UTF-8, computed once. */
  public int payloadBytes() {
    int bytes = payloadBytes;
    if (bytes < 0) {
      bytes = utf8Length(payload);
      payloadBytes = bytes;
    }
    return bytes;
  }

  /** The socket id of the client to leave out ({@code toOthers}), or null. */
  public String socketId() {
    return socketId;
  }

  /** The event's class name, or the event name for an anonymous broadcast: for log lines and errors. */
  public String describe() {
    return origin == null ? "anonymous event '" + event + "'" : origin;
  }

  @Override
  public String toString() {
    return "BroadcastMessage{event=" + event + ", channels=" + channels + ", payloadBytes="
        + payloadBytes() + (socketId == null ? "" : ", socketId=" + socketId) + ", id=" + id() + "}";
  }

  /** Counted, not encoded: the queue's byte bound needs the length of every payload, never the bytes. */
  private static int utf8Length(String text) {
    int length = text.length();
    int any = 0;
    for (int i = 0; i < length; i++) {
      any |= text.charAt(i); // no branch per character: ASCII text, the usual payload, is done here
    }
    if (any < 0x80) {
      return length;
    }
    int bytes = length;
    for (int i = 0; i < length; i++) {
      char c = text.charAt(i);
      if (c >= 0x80) {
        if (c < 0x800) {
          bytes++;
        } else if (Character.isHighSurrogate(c) && i + 1 < length && Character.isLowSurrogate(text.charAt(i + 1))) {
          bytes += 2; // 4 bytes for the pair
          i++;
        } else {
          bytes += 2; // 3 bytes; a lone surrogate is encoded as '?', 1 byte
          if (Character.isSurrogate(c)) {
            bytes -= 2;
          }
        }
      }
    }
    return bytes;
  }

  private static final byte[] BASE64_URL =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".getBytes(StandardCharsets.US_ASCII);

  /** 96 random bits as 16 base64url characters, written straight into the string's bytes (no encoder). */
  private static String newId() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long high = random.nextLong();
    long low = random.nextInt() & 0xFFFFFFFFL;
    byte[] chars = new byte[16];
    for (int i = 0; i < 10; i++) {
      chars[i] = BASE64_URL[(int) (high >>> (58 - 6 * i)) & 63];
    }
    // the last 4 bits of high and the 32 of low: 36 bits, 6 characters
    long rest = (high & 0xF) << 32 | low;
    for (int i = 0; i < 6; i++) {
      chars[10 + i] = BASE64_URL[(int) (rest >>> (30 - 6 * i)) & 63];
    }
    return new String(chars, StandardCharsets.ISO_8859_1);
  }
}
