package dev.broadcasting.pusher.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.broadcasting.BroadcastException;
import dev.broadcasting.internal.Signatures;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Checks and reads the webhooks Pusher posts to your application: the {@code X-Pusher-Key} header
 * must be this app's key and {@code X-Pusher-Signature} the HMAC-SHA256 of the raw body under its
 * secret (compared in constant time); the body's events come back typed.
 *
 * <pre>{@code
 * PusherWebhook webhook = new PusherWebhook(new PusherSigner(key, secret));
 * PusherWebhook.Notification n = webhook.verify(
 *     request.header("X-Pusher-Key"), request.header("X-Pusher-Signature"), request.bodyBytes());
 * for (PusherWebhook.Event event : n.events()) {
 *   if (event instanceof PusherWebhook.ChannelVacated vacated) {
 *     rooms.close(vacated.channel());
 *   }
 * }
 * }</pre>
 *
 * <p>Pass the body exactly as received, before any JSON parsing: the signature covers its bytes.
 */
public final class PusherWebhook {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final PusherSigner signer;

  public PusherWebhook(PusherSigner signer) {
    this.signer = Objects.requireNonNull(signer, "signer");
  }

  /** Whether the headers prove the body came from Pusher for this app. */
  public boolean isValid(String xPusherKey, String xPusherSignature, byte[] body) {
    return body != null && xPusherKey != null && xPusherSignature != null
        && Signatures.constantTimeEquals(signer.key(), xPusherKey)
        && Signatures.constantTimeEquals(signer.webhookSignature(body), xPusherSignature);
  }

  /**
   * The webhook's events, once the headers are checked.
   *
   * @throws BroadcastException with status 401 when the key or signature is wrong (answer 401),
   *     or 400 when the body is not a Pusher webhook (answer 400)
   */
  public Notification verify(String xPusherKey, String xPusherSignature, byte[] body) {
    if (!isValid(xPusherKey, xPusherSignature, body)) {
      String why = xPusherKey == null || xPusherSignature == null
          ? "the X-Pusher-Key or X-Pusher-Signature header is missing"
          : !Signatures.constantTimeEquals(signer.key(), xPusherKey)
              ? "X-Pusher-Key \"" + xPusherKey + "\" is not this app's key " + signer.key()
              : "X-Pusher-Signature does not match the body; pass the raw body bytes and check PUSHER_APP_SECRET";
      throw new BroadcastException("Rejected Pusher webhook: " + why, null, false, 401);
    }
    return parse(body);
  }

  private static Notification parse(byte[] body) {
    JsonNode root;
    try {
      root = JSON.readTree(body);
    } catch (IOException e) {
      throw new BroadcastException("Pusher webhook body is not JSON: " + e.getMessage().lines().findFirst().orElse(""), e, false, 400);
    }
    if (root == null || !root.path("time_ms").isNumber() || !root.path("events").isArray()) {
      throw new BroadcastException("Pusher webhook body has no time_ms and events[]", null, false, 400);
    }
    List<Event> events = new ArrayList<>(root.get("events").size());
    for (JsonNode event : root.get("events")) {
      events.add(event(event));
    }
    return new Notification(root.get("time_ms").asLong(), List.copyOf(events));
  }

  private static Event event(JsonNode node) {
    String channel = node.path("channel").asText();
    String name = node.path("name").asText();
    switch (name) {
      case "channel_occupied": return new ChannelOccupied(channel);
      case "channel_vacated": return new ChannelVacated(channel);
      case "member_added": return new MemberAdded(channel, node.path("user_id").asText());
      case "member_removed": return new MemberRemoved(channel, node.path("user_id").asText());
      case "client_event": return new ClientEvent(channel, node.path("event").asText(), text(node, "data"),
          text(node, "socket_id"), text(node, "user_id"));
      case "cache_miss": return new CacheMiss(channel);
      case "subscription_count":
        return new SubscriptionCount(channel, node.path("subscription_count").asInt());
      default: return new Unknown(channel, name, node.toString());
    }
  }

  private static String text(JsonNode node, String field) {
    JsonNode value = node.get(field);
    return value == null || value.isNull() ? null : value.isTextual() ? value.asText() : value.toString();
  }

  @Override
  public String toString() {
    return "PusherWebhook{key=" + signer.key() + "}";
  }

  /** One webhook request: when Pusher sent it and the events it carries, in order. */
  public record Notification(long timeMs, List<Event> events) {
    public Instant time() {
      return Instant.ofEpochMilli(timeMs);
    }
  }

  /** One event of a webhook; every kind names the channel it happened on. */
  public sealed interface Event permits ChannelOccupied, ChannelVacated, MemberAdded, MemberRemoved, ClientEvent,
      CacheMiss, SubscriptionCount, Unknown {
    String channel();
  }

  /** A channel got its first subscriber. */
  public record ChannelOccupied(String channel) implements Event {}

  /** A channel lost its last subscriber. */
  public record ChannelVacated(String channel) implements Event {}

  /** A user joined a presence channel. */
  public record MemberAdded(String channel, String userId) implements Event {}

  /** A user left a presence channel. */
  public record MemberRemoved(String channel, String userId) implements Event {}

  /**
   * A client sent {@code event} on a private or presence channel; {@code data} is the data as the
   * client sent it (JSON text), {@code userId} is set on presence channels only.
   */
  public record ClientEvent(String channel, String event, String data, String socketId, String userId)
      implements Event {}

  /** A client subscribed to a cache channel that held no event. */
  public record CacheMiss(String channel) implements Event {}

  /** The number of subscriptions of a channel changed. */
  public record SubscriptionCount(String channel, int subscriptionCount) implements Event {}

  /** A kind this version does not know yet, kept as its JSON so nothing is dropped. */
  public record Unknown(String channel, String name, String json) implements Event {}
}
