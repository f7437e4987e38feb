package dev.broadcasting.ably;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.broadcasting.ably.internal.AblyKey;
import dev.broadcasting.ably.internal.Capabilities;
import dev.broadcasting.ably.internal.Jwt;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Issues Ably tokens for {@code @ably/laravel-echo} clients, as the {@code ably/laravel-broadcaster}
 * package does: the client posts {@code {channel_name, token}}, and your route answers
 * {@link #authResponse} after deciding the user may join. The answer is an Ably JWT (HS256, signed
 * with the key secret, {@code kid} the key name) whose {@code x-ably-capability} grants the public
 * channels, the channels of the client's still-valid previous token, and the new channel.
 *
 * <pre>{@code
 * AblyTokens tokens = AblyTokens.builder().key(System.getenv("ABLY_KEY")).build();
 * // POST /broadcasting/auth {"channel_name":"private:chat.1","token":"<the client's current token>"}
 * String body = tokens.authResponse("private:chat.1", request.token(), user.id(), null);
 * // {"token":"eyJ0eXAiOiJKV1Qi..."}
 * }</pre>
 *
 * <p>Also builds signed TokenRequests ({@link #tokenRequest()}) for ably-js's {@code authCallback}.
 */
public final class AblyTokens {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  /** What every token grants on public channels, as {@code ably/laravel-broadcaster} does. */
  public static final Map<String, List<String>> PUBLIC_CHANNELS =
      Map.of("public:*", List.of("subscribe", "history", "channel-metadata"));

  private final AblyKey key;
  private final Duration expiry;
  private final Clock clock;
  private final Map<String, TreeSet<String>> publicGrants;
  private final List<String> guardedOperations;

  private AblyTokens(Builder builder) {
    this.key = AblyKey.parse(builder.key, "The Ably key");
    this.expiry = builder.expiry;
    this.clock = builder.clock;
    this.publicGrants = Capabilities.canonical(builder.publicGrants);
    this.guardedOperations = builder.guardedOperations;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * An Ably JWT allowing {@code clientId} on {@code channelName}, an Ably channel name such as
   * {@code private:chat.1}, or on the public channels only when it is null (Echo's first request,
   * made when it connects). When {@code clientToken} is a token this key issued that has not
   * expired, the new token keeps its grants, issue time and expiry, and adds the channel;
   * otherwise it starts from the public grants and expires after the configured expiry.
   *
   * @param clientToken the token the client sent, or null
   * @param clientId the user's id, sent as {@code x-ably-clientId}, or null for an anonymous client
   */
  public String jwt(String channelName, String clientToken, String clientId) {
    long now = clock.millis() / 1000;
    long iat = now;
    long exp = now + expiry.toSeconds();
    TreeMap<String, TreeSet<String>> grants = new TreeMap<>(publicGrants);
    ObjectNode previous = Jwt.verify(key, clientToken);
    if (previous != null && previous.path("exp").asLong(0) > now) {
      TreeMap<String, TreeSet<String>> kept = Capabilities.parse(previous.path("x-ably-capability").asText(""));
      if (kept != null) {
        grants = kept;
        iat = previous.path("iat").asLong(now);
        exp = previous.path("exp").asLong();
      }
    }
    if (channelName != null && (channelName.startsWith("private:") || channelName.startsWith("presence:"))) {
      grants.put(channelName, new TreeSet<>(guardedOperations));
    }
    ObjectNode claims = MAPPER.createObjectNode();
    claims.put("iat", iat);
    claims.put("exp", exp);
    claims.put("x-ably-capability", Capabilities.toJson(grants));
    if (clientId != null) {
      claims.put("x-ably-clientId", clientId);
    }
    return Jwt.sign(key, claims);
  }

  /**
   * The JSON body answering an {@code @ably/laravel-echo} auth request: {@code {"token":..}}, plus
   * {@code "info"} on a presence channel, which Echo enters as the member's presence data.
   *
   * @param presenceData the member's data as JSON, such as {@code {"name":"Ann"}}, or null for none
   */
  public String authResponse(String channelName, String clientToken, String clientId, String presenceData) {
    ObjectNode body = MAPPER.createObjectNode();
    body.put("token", jwt(channelName, clientToken, clientId));
    if (presenceData != null) {
      JsonNode data;
      try {
        data = MAPPER.readTree(presenceData);
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new IllegalArgumentException("presenceData must be JSON such as {\"name\":\"Ann\"}, but it does not "
            + "parse: " + e.getOriginalMessage());
      }
      if (data == null || data.isMissingNode()) {
        throw new IllegalArgumentException("presenceData must be JSON such as {\"name\":\"Ann\"}, or null for none, "
            + "but it is blank");
      }
      if (!data.isNull()) {
        body.set("info", data);
      }
    }
    return body.toString();
  }

  /** A builder of TokenRequests signed with this key, stamped by this clock. */
  public AblyTokenRequest.Builder tokenRequest() {
    return new AblyTokenRequest.Builder(key, clock);
  }

  @Override
  public String toString() {
    return "AblyTokens{key=" + key + ", expiry=" + expiry + "}";
  }

  /** Configures {@link AblyTokens}; only the key is required. */
  public static final class Builder {
    private String key;
    private Duration expiry = Duration.ofHours(8);
    private Clock clock = Clock.systemUTC();
    private Map<String, ? extends Collection<String>> publicGrants = PUBLIC_CHANNELS;
    private List<String> guardedOperations = List.of("*");

    private Builder() {}

    /** The API key, {@code appId.keyId:keySecret}. */
    public Builder key(String key) {
      this.key = Objects.requireNonNull(key, "key");
      return this;
    }

    /** How long a new token lasts; 8 hours by default. */
    public Builder expiry(Duration expiry) {
      Objects.requireNonNull(expiry, "expiry");
      if (expiry.toSeconds() < 1) {
        throw new IllegalArgumentException("expiry must be at least one second but was " + expiry);
      }
      this.expiry = expiry;
      return this;
    }

    /** What every new token grants; {@link #PUBLIC_CHANNELS} by default, an empty map for nothing. */
    public Builder publicGrants(Map<String, ? extends Collection<String>> grants) {
      Capabilities.canonical(Objects.requireNonNull(grants, "grants"));
      this.publicGrants = grants;
      return this;
    }

    /** The operations granted on an authorized private or presence channel; {@code ["*"]} by default. */
    public Builder guardedOperations(List<String> operations) {
      Objects.requireNonNull(operations, "operations");
      if (operations.isEmpty()) {
        throw new IllegalArgumentException("guardedOperations must list at least one operation, such as \"subscribe\"");
      }
      this.guardedOperations = List.copyOf(operations);
      return this;
    }

    /** The clock tokens are stamped with; the system clock by default. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    public AblyTokens build() {
      if (key == null) {
        throw new IllegalStateException("No Ably key: call key(\"appId.keyId:keySecret\")");
      }
      return new AblyTokens(this);
    }
  }
}
