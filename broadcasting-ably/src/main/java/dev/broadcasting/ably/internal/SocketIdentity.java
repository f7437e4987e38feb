package dev.broadcasting.ably.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.broadcasting.BroadcastException;
import dev.broadcasting.spi.SocketIds;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The sender to leave out of a broadcast ({@code toOthers}), decoded from the socket id that
 * {@code @ably/laravel-echo} sends: base64url of {@code {"connectionKey":..,"clientId":..}}. Ably
 * skips the connection whose key is set on a message.
 */
public record SocketIdentity(String connectionKey, String clientId) {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** True for {@code 1234.5678}: a pusher-js socket id, which Ably has no way to exclude. */
  public static boolean isPusherStyle(String socketId) {
    return SocketIds.isValid(socketId);
  }

  /** Decodes an Echo socket id, or fails naming what is wrong with it (never echoing it whole). */
  public static SocketIdentity decode(String socketId) {
    JsonNode node;
    try {
      String json = new String(Base64.getUrlDecoder().decode(socketId.trim()), StandardCharsets.UTF_8);
      node = MAPPER.readTree(json);
    } catch (IllegalArgumentException | java.io.IOException e) {
      throw new BroadcastException("The socket id given to toOthers() is neither a pusher-js id (1234.5678) nor "
          + "an @ably/laravel-echo id (base64url of {\"connectionKey\":..,\"clientId\":..}); pass the X-Socket-ID "
          + "header that Echo sends");
    }
    JsonNode key = node == null ? null : node.get("connectionKey");
    if (key == null || !key.isTextual() || key.asText().isEmpty()) {
      throw new BroadcastException("The @ably/laravel-echo socket id given to toOthers() has no connectionKey; "
          + "pass the X-Socket-ID header that Echo sends");
    }
    JsonNode clientId = node.get("clientId");
    return new SocketIdentity(key.asText(),
        clientId == null || clientId.isNull() ? null : clientId.asText());
  }
}
