package dev.broadcasting.redis.internal;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import dev.broadcasting.Channel;
import dev.broadcasting.spi.BroadcastMessage;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The bytes Laravel's RedisBroadcaster publishes, which laravel-echo-server and other Laravel
 * relays read: {@code {"event":"<name>","data":<payload>,"socket":"<socket id>"|null}} on the
 * channel {@code <prefix><channel name>}.
 */
public final class RedisMessageFormat {
  private RedisMessageFormat() {}

  private static final byte[] EVENT = "{\"event\":\"".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] DATA = "\",\"data\":".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] SOCKET = ",\"socket\":".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] NO_SOCKET = "null}".getBytes(StandardCharsets.US_ASCII);

  /**
   * The message body. The payload is embedded as it stands: core serialized it once as a JSON
   * object, and parsing it again here would cost time and could change the numbers it holds. An
   * event name and socket id with nothing to escape (the usual case) are copied straight into the
   * bytes; quoting them through Jackson cost a tenth of the thread that sends the events.
   */
  public static byte[] body(BroadcastMessage message) {
    String event = message.event();
    String socket = message.socketId();
    if (!plain(event) || socket != null && !plain(socket)) {
      return quoted(message);
    }
    byte[] payload = message.payload().getBytes(StandardCharsets.UTF_8);
    byte[] out = new byte[EVENT.length + event.length() + DATA.length + payload.length + SOCKET.length
        + (socket == null ? NO_SOCKET.length : socket.length() + 3)];
    int at = put(out, 0, EVENT);
    at = ascii(out, at, event);
    at = put(out, at, DATA);
    at = put(out, at, payload);
    at = put(out, at, SOCKET);
    if (socket == null) {
      put(out, at, NO_SOCKET);
    } else {
      out[at++] = '"';
      at = ascii(out, at, socket);
      out[at++] = '"';
      out[at] = '}';
    }
    return out;
  }

  /** The body with the event name and socket id quoted by Jackson: what {@link #body} gives in every case. */
  static byte[] quoted(BroadcastMessage message) {
    String payload = message.payload();
    StringBuilder json = new StringBuilder(payload.length() + message.event().length() + 48);
    json.append("{\"event\":");
    appendString(json, message.event());
    json.append(",\"data\":").append(payload).append(",\"socket\":");
    if (message.socketId() == null) {
      json.append("null");
    } else {
      appendString(json, message.socketId());
    }
    return json.append('}').toString().getBytes(StandardCharsets.UTF_8);
  }

  /** True when the text is ASCII that JSON needs no escape for: no control character, quote or backslash. */
  private static boolean plain(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\') {
        return false;
      }
    }
    return true;
  }

  private static int put(byte[] out, int at, byte[] bytes) {
    System.arraycopy(bytes, 0, out, at, bytes.length);
    return at + bytes.length;
  }

  /** Copies text that {@link #plain} accepted: one byte per character. */
  private static int ascii(byte[] out, int at, String text) {
    for (int i = 0; i < text.length(); i++) {
      out[at + i] = (byte) text.charAt(i);
    }
    return at + text.length();
  }

  /** The Redis channel names, prefix first, in the message's order. */
  public static byte[][] channels(String prefix, List<Channel> channels) {
    byte[][] names = new byte[channels.size()][];
    for (int i = 0; i < names.length; i++) {
      names[i] = (prefix + channels.get(i).name()).getBytes(StandardCharsets.UTF_8);
    }
    return names;
  }

  private static void appendString(StringBuilder json, String value) {
    json.append('"');
    JsonStringEncoder.getInstance().quoteAsString(value, json);
    json.append('"');
  }
}
