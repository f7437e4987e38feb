package dev.broadcasting.server.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.broadcasting.PresenceChannel;
import dev.broadcasting.spi.SocketIds;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The Pusher HTTP API: events, batch events, channel queries and user termination, for any Pusher
 * server SDK. Every request must be signed with the app's key and secret (body_md5 included) and
 * be at most 600 seconds off this server's clock. Errors are JSON: {@code {"error":"..."}}.
 */
final class HttpApi {
  /** An answer to write back. */
  record Answer(HttpResponseStatus status, String body) {}

  static final long TIMESTAMP_WINDOW_SECONDS = 600;
  private static final int MAX_EVENT_NAME = 200;

  private final Map<String, AppHub> hubsById;

  HttpApi(Map<String, AppHub> hubsById) {
    this.hubsById = hubsById;
  }

  Answer handle(FullHttpRequest request, QueryStringDecoder uri) {
    String[] parts = uri.path().substring("/apps/".length()).split("/", -1);
    AppHub hub = hubsById.get(parts[0]);
    if (hub == null) {
      return error(HttpResponseStatus.NOT_FOUND, "No app with id " + parts[0] + " on this server");
    }
    byte[] body = ByteBufUtil.getBytes(request.content());
    Answer unsigned = checkSignature(hub, request.method().name(), uri, body);
    if (unsigned != null) {
      return unsigned;
    }
    boolean get = request.method().equals(HttpMethod.GET);
    boolean post = request.method().equals(HttpMethod.POST);
    String what = parts.length > 1 ? parts[1] : "";
    if (post && parts.length == 2 && what.equals("events")) {
      return new EventsEndpoint(hub).trigger(body);
    }
    if (post && parts.length == 2 && what.equals("batch_events")) {
      return new EventsEndpoint(hub).batch(body);
    }
    if (get && parts.length == 2 && what.equals("channels")) {
      return channels(hub, uri);
    }
    if (get && parts.length == 3 && what.equals("channels")) {
      return channel(hub, parts[2], uri);
    }
    if (get && parts.length == 4 && what.equals("channels") && parts[3].equals("history")) {
      return HistoryEndpoint.read(hub, parts[2], uri);
    }
    if (get && parts.length == 4 && what.equals("channels") && parts[3].equals("users")) {
      return users(hub, parts[2]);
    }
    if (post && parts.length == 4 && what.equals("users") && parts[3].equals("terminate_connections")) {
      hub.terminateUser(parts[2]);
      return new Answer(HttpResponseStatus.OK, "{}");
    }
    return error(HttpResponseStatus.NOT_FOUND, "No such endpoint: " + request.method() + " " + uri.path());
  }

  private static Answer checkSignature(AppHub hub, String method, QueryStringDecoder uri, byte[] body) {
    Map<String, String> query = new HashMap<>();
    uri.parameters().forEach((name, values) -> query.put(name, values.get(values.size() - 1)));
    String timestamp = query.get("auth_timestamp");
    if (query.get("auth_signature") == null || timestamp == null || query.get("auth_key") == null) {
      return error(HttpResponseStatus.UNAUTHORIZED,
          "Unsigned request: auth_key, auth_timestamp, auth_version and auth_signature are required");
    }
    long seconds;
    try {
      seconds = Long.parseLong(timestamp);
    } catch (NumberFormatException e) {
      return error(HttpResponseStatus.UNAUTHORIZED, "auth_timestamp must be seconds since the epoch, was " + timestamp);
    }
    long skew = Math.abs(System.currentTimeMillis() / 1000 - seconds);
    if (skew > TIMESTAMP_WINDOW_SECONDS) {
      return error(HttpResponseStatus.UNAUTHORIZED, "auth_timestamp is " + skew + " seconds away from the server's "
          + "clock; at most " + TIMESTAMP_WINDOW_SECONDS + " are allowed. Check the sender's clock");
    }
    if (!hub.signer().verifyRequest(method, uri.path(), query, body)) {
      return error(HttpResponseStatus.UNAUTHORIZED, "Invalid signature: check the app key and secret, and that "
          + "body_md5 is the MD5 of the exact body sent");
    }
    return null;
  }

  private static Answer channels(AppHub hub, QueryStringDecoder uri) {
    String prefix = param(uri, "filter_by_prefix", "");
    boolean userCount = param(uri, "info", "").contains("user_count");
    if (userCount && !prefix.startsWith(PresenceChannel.PREFIX)) {
      return error(HttpResponseStatus.BAD_REQUEST, "info=user_count needs filter_by_prefix=presence-");
    }
    ObjectNode channels = Json.object();
    hub.occupiedChannels(prefix).forEach((name, counts) -> {
      ObjectNode info = channels.putObject(name);
      if (userCount) {
        info.put("user_count", counts[1]);
      }
    });
    ObjectNode root = Json.object();
    root.set("channels", channels);
    return new Answer(HttpResponseStatus.OK, Json.write(root));
  }

  private static Answer channel(AppHub hub, String name, QueryStringDecoder uri) {
    String invalid = ChannelKind.invalidReason(name);
    if (invalid != null) {
      return error(HttpResponseStatus.BAD_REQUEST, invalid);
    }
    String info = param(uri, "info", "");
    if (info.contains("user_count") && ChannelKind.of(name) != ChannelKind.PRESENCE) {
      return error(HttpResponseStatus.BAD_REQUEST, "info=user_count is for presence channels only");
    }
    int[] counts = hub.channelCounts(name);
    ObjectNode root = Json.object().put("occupied", counts != null);
    if (info.contains("subscription_count")) {
      root.put("subscription_count", counts == null ? 0 : counts[0]);
    }
    if (info.contains("user_count")) {
      root.put("user_count", counts == null ? 0 : counts[1]);
    }
    return new Answer(HttpResponseStatus.OK, Json.write(root));
  }

  private static Answer users(AppHub hub, String name) {
    if (ChannelKind.of(name) != ChannelKind.PRESENCE) {
      return error(HttpResponseStatus.BAD_REQUEST, "Users can only be listed on presence channels, not on " + name);
    }
    ObjectNode root = Json.object();
    ArrayNode users = root.putArray("users");
    hub.presenceUserIds(name).forEach(id -> users.addObject().put("id", id));
    return new Answer(HttpResponseStatus.OK, Json.write(root));
  }

  static String param(QueryStringDecoder uri, String name, String fallback) {
    List<String> values = uri.parameters().get(name);
    return values == null || values.isEmpty() ? fallback : values.get(0);
  }

  static Answer error(HttpResponseStatus status, String message) {
    return new Answer(status, HttpRouter.error(message));
  }

  /** The two publishing endpoints, which share their checks. */
  private static final class EventsEndpoint {
    private final AppHub hub;

    EventsEndpoint(AppHub hub) {
      this.hub = hub;
    }

    Answer trigger(byte[] body) {
      JsonNode event = Json.parseOrNull(body);
      if (event == null || !event.isObject()) {
        return error(HttpResponseStatus.BAD_REQUEST, "The body must be a JSON object {name, data, channels}");
      }
      List<String> channels = new ArrayList<>();
      if (event.get("channels") != null) {
        if (!event.get("channels").isArray()) {
          return error(HttpResponseStatus.BAD_REQUEST, "channels must be an array of channel names");
        }
        event.get("channels").forEach(channel -> channels.add(channel.asText()));
      } else if (Json.text(event, "channel") != null) {
        channels.add(Json.text(event, "channel"));
      }
      Answer invalid = check(event, channels);
      if (invalid != null) {
        return invalid;
      }
      hub.publish(Json.text(event, "name"), channels, data(event), Json.text(event, "socket_id"));
      return new Answer(HttpResponseStatus.OK, info(event, channels));
    }

    Answer batch(byte[] body) {
      JsonNode root = Json.parseOrNull(body);
      JsonNode batch = root == null ? null : root.get("batch");
      if (batch == null || !batch.isArray()) {
        return error(HttpResponseStatus.BAD_REQUEST, "The body must be {\"batch\":[{channel, name, data}, ...]}");
      }
      if (batch.size() > hub.app().maxBatchSize()) {
        return error(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "The batch has " + batch.size()
            + " events; this app allows " + hub.app().maxBatchSize() + " per request");
      }
      for (int i = 0; i < batch.size(); i++) {
        Answer invalid = check(batch.get(i), channelOf(batch.get(i)));
        if (invalid != null) {
          return error(invalid.status(), "batch[" + i + "]: " + Json.parseOrNull(invalid.body()).get("error").asText());
        }
      }
      ObjectNode answer = Json.object();
      ArrayNode infos = answer.putArray("batch");
      for (JsonNode event : batch) {
        hub.publish(Json.text(event, "name"), channelOf(event), data(event), Json.text(event, "socket_id"));
        // one flat entry per event, in request order, as Pusher answers and its SDKs read it
        infos.add(channelInfo(Json.text(event, "info"), Json.text(event, "channel")));
      }
      return new Answer(HttpResponseStatus.OK, hasInfo(batch) ? Json.write(answer) : "{}");
    }

    private static boolean hasInfo(JsonNode batch) {
      for (JsonNode event : batch) {
        if (Json.text(event, "info") != null) {
          return true;
        }
      }
      return false;
    }

    private static List<String> channelOf(JsonNode event) {
      String channel = Json.text(event, "channel");
      return channel == null ? List.of() : List.of(channel);
    }

    private Answer check(JsonNode event, List<String> channels) {
      String name = Json.text(event, "name");
      if (name == null || name.isEmpty() || name.length() > MAX_EVENT_NAME) {
        return error(HttpResponseStatus.BAD_REQUEST, "name must be a string of 1 to " + MAX_EVENT_NAME + " characters");
      }
      if (event.get("data") == null) {
        return error(HttpResponseStatus.BAD_REQUEST, "data is missing; send the event data as a string");
      }
      if (channels.isEmpty()) {
        return error(HttpResponseStatus.BAD_REQUEST, "No channel given; send channels: [\"name\", ...]");
      }
      if (channels.size() > hub.app().maxChannelsPerEvent()) {
        return error(HttpResponseStatus.BAD_REQUEST, "The event names " + channels.size()
            + " channels; this app allows " + hub.app().maxChannelsPerEvent() + " per event");
      }
      for (String channel : channels) {
        String invalid = ChannelKind.invalidReason(channel);
        if (invalid != null) {
          return error(HttpResponseStatus.BAD_REQUEST, invalid);
        }
      }
      int bytes = Json.utf8Length(data(event));
      if (bytes > hub.app().maxEventPayloadBytes()) {
        return error(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "data is " + bytes
            + " bytes; this app allows " + hub.app().maxEventPayloadBytes());
      }
      String socketId = Json.text(event, "socket_id");
      String socketError = socketId == null ? null : SocketIds.error(socketId);
      if (socketError != null) {
        return error(HttpResponseStatus.BAD_REQUEST, socketError);
      }
      return null;
    }

    /** The data string; SDKs send a string, but an object is accepted and sent as its JSON. */
    private static String data(JsonNode event) {
      JsonNode data = event.get("data");
      return data.isTextual() ? data.asText() : Json.write(data);
    }

    private String info(JsonNode event, List<String> channels) {
      String info = Json.text(event, "info");
      if (info == null) {
        return "{}";
      }
      ObjectNode root = Json.object();
      ObjectNode byChannel = root.putObject("channels");
      channels.forEach(channel -> byChannel.set(channel, channelInfo(info, channel)));
      return Json.write(root);
    }

    /** The attributes {@code info} asks for about one channel; empty when it asks for none. */
    private ObjectNode channelInfo(String info, String channel) {
      ObjectNode one = Json.object();
      if (info == null) {
        return one;
      }
      int[] counts = hub.channelCounts(channel);
      if (info.contains("user_count") && ChannelKind.of(channel) == ChannelKind.PRESENCE) {
        one.put("user_count", counts == null ? 0 : counts[1]);
      }
      if (info.contains("subscription_count")) {
        one.put("subscription_count", counts == null ? 0 : counts[0]);
      }
      return one;
    }
  }
}
