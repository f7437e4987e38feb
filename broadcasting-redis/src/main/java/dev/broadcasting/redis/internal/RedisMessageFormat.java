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

  /**
   * The message body. The payload is embedded as it stands: core serialized it once as a JSON
   * object, and parsing it again here would cost time and could change the numbers it holds.
   */
  public static byte[] body(BroadcastMessage message) {
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
