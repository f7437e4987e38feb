package dev.broadcasting.ably;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.broadcasting.AuthDecision;
import dev.broadcasting.AuthResponse;
import dev.broadcasting.ChannelAuthorizer;
import dev.broadcasting.PresenceChannel;
import dev.broadcasting.PrivateChannel;
import java.util.Objects;
import java.util.function.Function;

/**
 * The {@code /broadcasting/auth} route for {@code @ably/laravel-echo}: the channel callbacks
 * registered on a {@link ChannelAuthorizer} decide, and the answer is an Ably JWT from
 * {@link AblyTokens} instead of a signature.
 *
 * <pre>{@code
 * ChannelAuthorizer<User> channels = ChannelAuthorizer.create(broadcaster);
 * channels.channel("chat.{id}", (user, params) -> user.canRead(params.getLong("id")));
 * AblyEchoAuth<User> echoAuth = AblyEchoAuth.create(channels, tokens, user -> String.valueOf(user.id()));
 *
 * // POST /broadcasting/auth with {"channel_name":"private:chat.1","token":".."}
 * AuthResponse answer = echoAuth.authorizeJson(requestBody, currentUser);
 * }</pre>
 *
 * <p>On a presence channel the answer's {@code info} is the {@link dev.broadcasting.PresenceMember}'s
 * user info alone, as ably/laravel-broadcaster answers the callback's data: Echo enters presence
 * with it, and {@code here()}/{@code joining()} hand over ably-js presence messages whose
 * {@code clientId} is the token's client id and whose {@code data} is that info.
 *
 * <p>Ably channel names are mapped back to broadcast names as Laravel maps them
 * ({@code private:x} → {@code private-x}, {@code public:x} → {@code x}), so one set of callbacks
 * serves pusher-js and Echo clients alike.
 */
public final class AblyEchoAuth<U> {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final ChannelAuthorizer<U> channels;
  private final AblyTokens tokens;
  private final Function<? super U, String> clientId;

  private AblyEchoAuth(ChannelAuthorizer<U> channels, AblyTokens tokens, Function<? super U, String> clientId) {
    this.channels = channels;
    this.tokens = tokens;
    this.clientId = clientId;
  }

  /**
   * @param clientId the Ably client id of a user ({@code x-ably-clientId}), or null for none
   */
  public static <U> AblyEchoAuth<U> create(ChannelAuthorizer<U> channels, AblyTokens tokens,
      Function<? super U, String> clientId) {
    return new AblyEchoAuth<>(Objects.requireNonNull(channels, "channels"), Objects.requireNonNull(tokens, "tokens"),
        Objects.requireNonNull(clientId, "clientId"));
  }

  /** Answers the JSON body Echo posts, {@code {"channel_name":..,"token":..}}; {@code user} is null when none. */
  public AuthResponse authorizeJson(String body, U user) {
    JsonNode request;
    try {
      request = body == null || body.length() > ChannelAuthorizer.MAX_BODY_CHARS ? null : MAPPER.readTree(body);
    } catch (Exception notJson) {
      request = null;
    }
    JsonNode channel = request == null || !request.isObject() ? null : request.path("channel_name");
    if (channel == null || !(channel.isTextual() || channel.isNull() || channel.isMissingNode())) {
      return new AuthResponse(400, "{\"error\":\"expected a JSON object with channel_name and token\"}");
    }
    String token = request.path("token").isTextual() ? request.get("token").asText() : null;
    return authorize(channel.isTextual() ? channel.asText() : null, token, user);
  }

  /**
   * Authorizes {@code user} on the Ably channel {@code channelName}, keeping the grants of
   * {@code token}. A null channel, as Echo sends when it connects, gets a token for the public
   * channels.
   */
  public AuthResponse authorize(String channelName, String token, U user) {
    String id = user == null ? null : clientId.apply(user);
    if (channelName == null || (!channelName.startsWith("private:") && !channelName.startsWith("presence:"))) {
      // public channels need no decision: the token grants them all
      return new AuthResponse(200, tokens.authResponse(channelName, token, id, null));
    }
    AuthDecision decision = channels.decide(broadcastName(channelName), user);
    if (!decision.allowed()) {
      return AuthResponse.forbidden();
    }
    return new AuthResponse(200, tokens.authResponse(channelName, token, id, presenceData(decision.channelData())));
  }

  /**
   * The presence callback's own data, as ably/laravel-broadcaster answers it in {@code info}: the
   * member's user info without the {@code user_id} wrapper Pusher needs (Ably knows the member by
   * the token's client id). None when the member has no info, or empty info, as Laravel leaves out
   * an empty array.
   */
  private static String presenceData(String channelData) {
    if (channelData == null) {
      return null;
    }
    JsonNode info;
    try {
      info = MAPPER.readTree(channelData).path("user_info");
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("core's channel data is not JSON", e);
    }
    boolean empty = info.isMissingNode() || info.isNull() || (info.isContainerNode() && info.isEmpty());
    return empty ? null : info.toString();
  }

  private static String broadcastName(String ablyName) {
    if (ablyName.startsWith("private:")) {
      return PrivateChannel.PREFIX + ablyName.substring("private:".length());
    }
    return PresenceChannel.PREFIX + ablyName.substring("presence:".length());
  }

  @Override
  public String toString() {
    return "AblyEchoAuth{" + tokens + "}";
  }
}
