package dev.broadcasting.server.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The messages the server sends, as pusher-js reads them. Internal events carry their {@code data}
 * as a JSON string, as Pusher's own servers do; broadcast events carry the data string as published.
 */
final class PusherMessages {
  private PusherMessages() {}

  static String connectionEstablished(String socketId, long activityTimeoutSeconds) {
    ObjectNode data = Json.object().put("socket_id", socketId).put("activity_timeout", activityTimeoutSeconds);
    return internal("pusher:connection_established", null, Json.write(data));
  }

  /**
   * A {@code pusher:error}; {@code code} is null for errors that have no protocol code, and the
   * field is then left out, as Pusher leaves it out, rather than sent as {@code null}.
   */
  static String error(Integer code, String message) {
    ObjectNode data = Json.object();
    if (code != null) {
      data.put("code", code);
    }
    data.put("message", message);
    ObjectNode root = Json.object().put("event", "pusher:error");
    root.set("data", data);
    return Json.write(root);
  }

  /** {@code reason} cut to the 123 UTF-8 bytes a WebSocket close frame can carry. */
  static String closeReason(String reason) {
    byte[] bytes = reason.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    if (bytes.length <= 123) {
      return reason;
    }
    int end = Math.min(reason.length(), 123);
    while (Json.utf8Length(reason.substring(0, end)) > 123) {
      end--;
    }
    if (end > 0 && Character.isHighSurrogate(reason.charAt(end - 1))) {
      end--;
    }
    return reason.substring(0, end);
  }

  static String pong() {
    return "{\"event\":\"pusher:pong\",\"data\":{}}";
  }

  static String ping() {
    return "{\"event\":\"pusher:ping\",\"data\":{}}";
  }

  static String subscriptionSucceeded(String channel, String dataJson) {
    return internal("pusher_internal:subscription_succeeded", channel, dataJson);
  }

  static String subscriptionError(String channel, String type, String error, int status) {
    ObjectNode data = Json.object().put("type", type).put("error", error).put("status", status);
    ObjectNode root = Json.object().put("event", "pusher:subscription_error").put("channel", channel);
    root.set("data", data);
    return Json.write(root);
  }

  static String memberAdded(String channel, String userId, JsonNode userInfo) {
    ObjectNode data = Json.object().put("user_id", userId);
    if (userInfo != null) {
      data.set("user_info", userInfo);
    }
    return internal("pusher_internal:member_added", channel, Json.write(data));
  }

  static String memberRemoved(String channel, String userId) {
    return internal("pusher_internal:member_removed", channel, Json.write(Json.object().put("user_id", userId)));
  }

  /** The data of a presence subscription_succeeded, {@code {"presence":{"ids","hash","count"}}}, from user id to user_info. */
  static String presenceData(java.util.Map<String, JsonNode> members) {
    ObjectNode presence = Json.object();
    com.fasterxml.jackson.databind.node.ArrayNode ids = presence.putArray("ids");
    ObjectNode hash = presence.putObject("hash");
    members.forEach((id, info) -> {
      ids.add(id);
      hash.set(id, info == null ? Json.MAPPER.nullNode() : info);
    });
    presence.put("count", members.size());
    ObjectNode root = Json.object();
    root.set("presence", presence);
    return Json.write(root);
  }

  static String cacheMiss(String channel) {
    return Json.write(Json.object().put("event", "pusher:cache_miss").put("channel", channel));
  }

  static String signinSuccess(String userData) {
    ObjectNode root = Json.object().put("event", "pusher:signin_success");
    root.set("data", Json.object().put("user_data", userData));
    return Json.write(root);
  }

  /** A broadcast event; {@code data} is the string published, sent as a JSON string. */
  static String event(String event, String channel, String data) {
    return Json.write(Json.object().put("event", event).put("channel", channel).put("data", data));
  }

  /** A client event, its data forwarded as the sender wrote it, with the sender's user on presence channels. */
  static String clientEvent(String event, String channel, JsonNode data, String userId) {
    ObjectNode root = Json.object().put("event", event).put("channel", channel);
    root.set("data", data);
    if (userId != null) {
      root.put("user_id", userId);
    }
    return Json.write(root);
  }

  private static String internal(String event, String channel, String dataJson) {
    ObjectNode root = Json.object().put("event", event);
    if (channel != null) {
      root.put("channel", channel);
    }
    root.put("data", dataJson);
    return Json.write(root);
  }
}
