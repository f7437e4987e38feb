package dev.broadcasting.server.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.broadcasting.internal.Signatures;

/**
 * What a client may say once connected: ping, subscribe, unsubscribe, sign in, and client events.
 * Runs on the connection's event loop. Every refusal tells the client why, with the code or status
 * pusher-js acts on.
 */
final class ClientProtocol {
  static final int CLIENT_EVENT_REJECTED = 4301;
  private static final int MAX_EVENT_NAME = 200;

  private final PusherSocket socket;
  private final AppHub hub;

  ClientProtocol(PusherSocket socket) {
    this.socket = socket;
    this.hub = socket.hub;
  }

  void handle(String text) {
    JsonNode message = Json.parseOrNull(text);
    String event = Json.text(message, "event");
    if (event == null) {
      socket.send(PusherMessages.error(null, "Messages must be JSON objects with an \"event\" field"));
      return;
    }
    JsonNode data = message.get("data");
    if (data != null && data.isTextual() && event.startsWith("pusher:")) {
      JsonNode parsed = Json.parseOrNull(data.asText());
      data = parsed != null ? parsed : data;
    }
    switch (event) {
      case "pusher:ping" -> socket.send(PusherMessages.pong());
      case "pusher:pong" -> { }
      case "pusher:subscribe" -> subscribe(data);
      case "pusher:unsubscribe" -> unsubscribe(Json.text(data, "channel"));
      case "pusher:signin" -> signIn(data);
      default -> {
        if (event.startsWith("client-")) {
          clientEvent(event, Json.text(message, "channel"), message.get("data"));
        } else {
          socket.send(PusherMessages.error(null, "Unknown event \"" + event + "\""));
        }
      }
    }
  }

  private void subscribe(JsonNode data) {
    String channel = Json.text(data, "channel");
    String invalid = ChannelKind.invalidReason(channel);
    if (invalid != null) {
      refuseSubscription(channel, "InvalidChannel", invalid, 400);
      return;
    }
    ChannelKind kind = ChannelKind.of(channel);
    String channelData = Json.text(data, "channel_data");
    if (kind.guarded() && !authorized(channel, Json.text(data, "auth"), channelData)) {
      return;
    }
    if (kind == ChannelKind.SERVER_TO_USER
        && (socket.userId == null || !channel.equals(ChannelKind.SERVER_TO_USER_PREFIX + socket.userId))) {
      refuseSubscription(channel, "AuthError",
          "Only the user signed in as " + channel.substring(ChannelKind.SERVER_TO_USER_PREFIX.length())
              + " may subscribe to " + channel, 403);
      return;
    }
    if (socket.isSubscribed(channel)) {
      succeeded(channel, kind, null);
      return;
    }
    if (socket.subscriptions.size() >= hub.app().maxChannelsPerConnection()) {
      refuseSubscription(channel, "LimitReached", "This connection is already subscribed to "
          + socket.subscriptions.size() + " channels, the most this app allows; unsubscribe from one first", 403);
      return;
    }
    if (hub.cluster != null) {
      if (kind == ChannelKind.PRESENCE) {
        joinPresence(channel, channelData, data.get("recovery"));
      } else {
        hub.cluster.subscribe(socket, channel, null, null, data.get("recovery"));
      }
      return;
    }
    JsonNode recovery = data.get("recovery");
    hub.history().subscribe(socket, channel, recovery, () -> kind == ChannelKind.PRESENCE
        ? joinPresence(channel, channelData, recovery) : join(channel, kind, recovery));
  }

  private boolean join(String channel, ChannelKind kind, JsonNode recovery) {
    hub.join(socket, channel, null, null);
    succeeded(channel, kind, recovery);
    return true;
  }

  private boolean authorized(String channel, String auth, String channelData) {
    if (channelData == null && ChannelKind.of(channel) == ChannelKind.PRESENCE) {
      refuseSubscription(channel, "AuthError",
          "Presence subscriptions need channel_data, the member JSON that was signed", 401);
      return false;
    }
    String expected = hub.signer().channelAuth(socket.socketId, channel, channelData);
    if (!Signatures.constantTimeEquals(expected, auth)) {
      refuseSubscription(channel, "AuthError", "Invalid signature: the auth of "
          + channel + " does not match socket " + socket.socketId + " and this app's key and secret", 401);
      return false;
    }
    return true;
  }

  /** Joins presence {@code channel}; in a cluster, with the subscribe's {@code recovery} (see AppCluster). */
  private boolean joinPresence(String channel, String channelData, JsonNode recovery) {
    JsonNode member = Json.parseOrNull(channelData);
    JsonNode id = member == null ? null : member.get("user_id");
    if (id == null || !(id.isTextual() || id.isIntegralNumber()) || id.asText().isEmpty()) {
      refuseSubscription(channel, "InvalidChannelData",
          "channel_data must be a JSON object with a user_id string or number", 400);
      return false;
    }
    JsonNode info = member.get("user_info");
    int infoBytes = info == null ? 0 : Json.utf8Length(Json.write(info));
    if (infoBytes > hub.app().maxPresenceMemberInfoBytes()) {
      refuseSubscription(channel, "LimitReached", "user_info is " + infoBytes
          + " bytes; this app allows " + hub.app().maxPresenceMemberInfoBytes(), 413);
      return false;
    }
    String userId = id.asText();
    if (hub.cluster != null) {
      hub.cluster.subscribe(socket, channel, userId, info, recovery);
      return true;
    }
    if (!hub.join(socket, channel, userId, info)) {
      refuseSubscription(channel, "LimitReached", channel + " already has "
          + hub.app().maxPresenceMembers() + " members, the most this app allows", 403);
      return false;
    }
    succeeded(channel, ChannelKind.PRESENCE, recovery);
    return true;
  }

  /** Answers {@code pusher:subscription_error}, and counts and tells the refusal. */
  private void refuseSubscription(String channel, String type, String error, int status) {
    // counted before the client hears of it, so that whoever it tells reads the count with it
    refused(channel, status, type + ": " + error);
    socket.send(PusherMessages.subscriptionError(channel, type, error, status));
  }

  private void refused(String channel, int status, String reason) {
    hub.counters().refusals.increment();
    hub.events().refused(socket.socketId, channel, status, reason);
  }

  /** Answers a subscribe; a cache channel's last event too, unless the recovery's replay holds it. */
  private void succeeded(String channel, ChannelKind kind, JsonNode recovery) {
    String data = kind == ChannelKind.PRESENCE ? hub.presenceSnapshot(channel) : "{}";
    socket.send(PusherMessages.subscriptionSucceeded(channel, data));
    if (ChannelKind.isCache(channel) && !hub.history().replaysFrom(channel, recovery)) {
      String cached = hub.cachedEvent(channel);
      socket.send(cached != null ? cached : PusherMessages.cacheMiss(channel));
    }
  }

  private void unsubscribe(String channel) {
    if (channel != null && socket.isSubscribed(channel)) {
      String userId = socket.subscriptions.get(channel);
      hub.leave(socket, channel, userId.isEmpty() ? null : userId);
    }
  }

  private void signIn(JsonNode data) {
    String userData = Json.text(data, "user_data");
    String auth = Json.text(data, "auth");
    if (userData == null || auth == null) {
      socket.refuse(4009, "pusher:signin needs auth and user_data");
      return;
    }
    if (!Signatures.constantTimeEquals(hub.signer().userAuth(socket.socketId, userData), auth)) {
      socket.refuse(4009, "Invalid signature: the sign-in auth does not match socket " + socket.socketId
          + " and this app's key and secret");
      return;
    }
    JsonNode user = Json.parseOrNull(userData);
    JsonNode id = user == null ? null : user.get("id");
    if (id == null || !(id.isTextual() || id.isIntegralNumber()) || id.asText().isEmpty()) {
      socket.refuse(4009, "user_data must be a JSON object with an id");
      return;
    }
    hub.signIn(socket, id.asText());
    socket.send(PusherMessages.signinSuccess(userData));
  }

  private void clientEvent(String event, String channel, JsonNode data) {
    String refused = clientEventRefusal(event, channel, data);
    if (refused != null) {
      refused(channel, CLIENT_EVENT_REJECTED, "client event " + event + ": " + refused);
      socket.send(PusherMessages.error(CLIENT_EVENT_REJECTED, "Client event rejected: " + refused));
      return;
    }
    hub.clientEvent(socket, channel, event, data == null ? Json.MAPPER.nullNode() : data);
  }

  private String clientEventRefusal(String event, String channel, JsonNode data) {
    if (!hub.app().clientEventsEnabled()) {
      return "client events are disabled for this app";
    }
    if (event.length() > MAX_EVENT_NAME) {
      return "event names are at most " + MAX_EVENT_NAME + " characters";
    }
    if (channel == null) {
      return "a client event needs a channel";
    }
    ChannelKind kind = ChannelKind.of(channel);
    if (kind != ChannelKind.PRIVATE && kind != ChannelKind.PRESENCE) {
      return "client events are allowed on private- and presence- channels only, not on " + channel;
    }
    if (!socket.isSubscribed(channel)) {
      return "this connection is not subscribed to " + channel;
    }
    int bytes = data == null ? 0 : Json.utf8Length(data.isTextual() ? data.asText() : Json.write(data));
    if (bytes > hub.app().maxEventPayloadBytes()) {
      return "data is " + bytes + " bytes; this app allows " + hub.app().maxEventPayloadBytes();
    }
    if (!socket.clientEvents.tryAcquire()) {
      return "rate limit of " + hub.app().clientEventsPerSecond() + " events per second exceeded";
    }
    return null;
  }
}
