package dev.broadcasting.redis.internal;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import dev.broadcasting.Channel;
import dev.broadcasting.resp.internal.RespWriter;
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
  private static final byte[] QUOTE = {'"'};
  private static final byte[] QUOTE_END = {'"', '}'};

  /**
   * The message body. The payload is embedded as it stands: core serialized it once as a JSON
   * object, and parsing it again here would cost time and could change the numbers it holds. An
   * event name and socket id with nothing to escape (the usual case) are copied straight into the
   * bytes; quoting them through Jackson cost a tenth of the thread that sends the events.
   */
  public static byte[] body(BroadcastMessage message) {
    if (!plain(message)) {
      return quoted(message);
    }
    RespWriter out = new RespWriter(plainLength(message));
    appendPlain(out, message);
    return out.takeBytes(); // exactly its length: no copy
  }

  /**
   * The body as a RESP bulk string, {@code $length\r\n<body>\r\n}, written straight into the
   * batch: the bytes {@link #body} gives, without an array of its own and a copy of it.
   */
  public static void appendBulk(RespWriter out, BroadcastMessage message) {
    if (!plain(message)) {
      out.bulk(quoted(message));
      return;
    }
    out.bulkHead(plainLength(message));
    appendPlain(out, message);
    out.crlf();
  }

  /**
   * The last event name found plain: an application sends many events of few names, usually the
   * very same string, and looking at each character again cost a fifteenth of the sending thread.
   * Shared by all threads without a lock: a string is immutable, and a stale one is only a miss.
   */
  private static String plainEvent = "";

  private static boolean plain(BroadcastMessage message) {
    String event = message.event();
    boolean plainName = event == plainEvent;
    if (!plainName && plain(event)) {
      plainEvent = event;
      plainName = true;
    }
    return plainName && (message.socketId() == null || plain(message.socketId()));
  }

  /** The length of a {@link #plain} message's body: its event name and socket id are one byte per character. */
  private static int plainLength(BroadcastMessage message) {
    String socket = message.socketId();
    return EVENT.length + message.event().length() + DATA.length + message.payloadBytes() + SOCKET.length
        + (socket == null ? NO_SOCKET.length : socket.length() + 3);
  }

  private static void appendPlain(RespWriter out, BroadcastMessage message) {
    out.raw(EVENT);
    out.latin1(message.event());
    out.raw(DATA);
    // not latin1 even when payloadBytes() equals its length: a lone surrogate counts one byte, '?'
    out.raw(message.payload().getBytes(StandardCharsets.UTF_8));
    out.raw(SOCKET);
    String socket = message.socketId();
    if (socket == null) {
      out.raw(NO_SOCKET);
    } else {
      out.raw(QUOTE);
      out.latin1(socket);
      out.raw(QUOTE_END);
    }
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
