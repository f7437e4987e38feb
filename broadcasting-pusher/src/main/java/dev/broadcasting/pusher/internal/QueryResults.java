package dev.broadcasting.pusher.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.broadcasting.BroadcastException;
import dev.broadcasting.pusher.PusherChannel;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/** Reads the JSON answers of Pusher's channel queries into typed results. */
public final class QueryResults {
  private static final ObjectMapper JSON = new ObjectMapper();

  private QueryResults() {}

  /** {@code {"channels":{"presence-a":{"user_count":2},"b":{}}}}: every listed channel is occupied. */
  public static List<PusherChannel> channels(String body) {
    JsonNode channels = read(body, "GET /channels").path("channels");
    List<PusherChannel> result = new ArrayList<>(channels.size());
    for (Map.Entry<String, JsonNode> entry : channels.properties()) {
      result.add(new PusherChannel(entry.getKey(), true, count(entry.getValue(), "user_count"),
          count(entry.getValue(), "subscription_count")));
    }
    return List.copyOf(result);
  }

  /** {@code {"occupied":true,"user_count":2,"subscription_count":3}}. */
  public static PusherChannel channel(String name, String body) {
    JsonNode node = read(body, "GET /channels/" + name);
    return new PusherChannel(name, node.path("occupied").asBoolean(false), count(node, "user_count"),
        count(node, "subscription_count"));
  }

  /** {@code {"users":[{"id":"1"},{"id":"2"}]}}: the ids, in Pusher's order. */
  public static List<String> userIds(String channel, String body) {
    JsonNode users = read(body, "GET /channels/" + channel + "/users").path("users");
    List<String> ids = new ArrayList<>(users.size());
    for (JsonNode user : users) {
      ids.add(user.path("id").asText());
    }
    return List.copyOf(ids);
  }

  private static OptionalInt count(JsonNode node, String field) {
    JsonNode value = node.get(field);
    return value != null && value.canConvertToInt() ? OptionalInt.of(value.asInt()) : OptionalInt.empty();
  }

  private static JsonNode read(String body, String what) {
    try {
      JsonNode node = JSON.readTree(body);
      if (node == null || !node.isObject()) {
        throw new BroadcastException("Pusher answered " + what + " with no JSON object: " + shorten(body));
      }
      return node;
    } catch (IOException e) {
      throw new BroadcastException("Pusher answered " + what + " with invalid JSON: " + shorten(body), e);
    }
  }

  private static String shorten(String body) {
    return body.length() > 200 ? body.substring(0, 200) + "..." : body;
  }
}
