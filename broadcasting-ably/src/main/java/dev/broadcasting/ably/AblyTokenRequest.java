package dev.broadcasting.ably;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.broadcasting.ably.internal.AblyKey;
import dev.broadcasting.ably.internal.Capabilities;
import dev.broadcasting.internal.Signatures;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;

/**
 * A signed Ably TokenRequest: what an {@code authCallback} or {@code authUrl} hands to ably-js,
 * which exchanges it for a token without ever seeing the key secret. The {@code mac} is the base64
 * HMAC-SHA256, under the key secret, of {@code keyName, ttl, capability, clientId, timestamp, nonce},
 * each followed by a newline, absent ones empty.
 *
 * <pre>{@code
 * AblyTokenRequest request = tokens.tokenRequest()
 *     .clientId("user-1")
 *     .capability(Map.of("private:chat.1", List.of("subscribe")))
 *     .ttl(Duration.ofHours(1))
 *     .build();
 * return request.toJson();
 * }</pre>
 */
public final class AblyTokenRequest {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final SecureRandom RANDOM = new SecureRandom();

  private final String keyName;
  private final Long ttl;
  private final String capability;
  private final String clientId;
  private final long timestamp;
  private final String nonce;
  private final String mac;

  private AblyTokenRequest(Builder builder, String mac) {
    this.keyName = builder.key.name();
    this.ttl = builder.ttl;
    this.capability = builder.capability;
    this.clientId = builder.clientId;
    this.timestamp = builder.timestamp != null ? builder.timestamp : builder.clock.millis();
    this.nonce = builder.nonce;
    this.mac = mac;
  }

  public String keyName() {
    return keyName;
  }

  /** The mac, base64. */
  public String mac() {
    return mac;
  }

  public long timestamp() {
    return timestamp;
  }

  public String nonce() {
    return nonce;
  }

  /** The request as ably-js reads it; absent fields are left out. */
  public String toJson() {
    ObjectNode json = MAPPER.createObjectNode();
    json.put("keyName", keyName);
    if (ttl != null) {
      json.put("ttl", ttl);
    }
    if (capability != null) {
      json.put("capability", capability);
    }
    if (clientId != null) {
      json.put("clientId", clientId);
    }
    json.put("timestamp", timestamp);
    json.put("nonce", nonce);
    json.put("mac", mac);
    return json.toString();
  }

  @Override
  public String toString() {
    return "AblyTokenRequest{keyName=" + keyName + ", clientId=" + clientId + ", capability=" + capability
        + ", timestamp=" + timestamp + "}";
  }

  /** Builds an {@link AblyTokenRequest}; get one from {@link AblyTokens#tokenRequest()}. */
  public static final class Builder {
    private final AblyKey key;
    private final Clock clock;
    private Long ttl;
    private String capability;
    private String clientId;
    private Long timestamp;
    private String nonce;

    Builder(AblyKey key, Clock clock) {
      this.key = key;
      this.clock = clock;
    }

    /** How long the token will last; Ably's default (60 minutes) when unset. */
    public Builder ttl(Duration ttl) {
      Objects.requireNonNull(ttl, "ttl");
      if (ttl.toMillis() < 1) {
        throw new IllegalArgumentException("ttl must be positive but was " + ttl);
      }
      this.ttl = ttl.toMillis();
      return this;
    }

    /** The grants, written as canonical JSON. */
    public Builder capability(Map<String, ? extends Collection<String>> grants) {
      this.capability = Capabilities.toJson(Objects.requireNonNull(grants, "grants"));
      return this;
    }

    /** The grants as JSON text, signed exactly as given. */
    public Builder capability(String capabilityJson) {
      Objects.requireNonNull(capabilityJson, "capabilityJson");
      if (Capabilities.parse(capabilityJson) == null) {
        throw new IllegalArgumentException("capability must be a JSON object of channel → operations, such as "
            + "{\"private:chat.1\":[\"subscribe\"]}, but was " + capabilityJson);
      }
      this.capability = capabilityJson;
      return this;
    }

    public Builder clientId(String clientId) {
      this.clientId = Objects.requireNonNull(clientId, "clientId");
      return this;
    }

    /** Milliseconds since the epoch; the clock's time by default. */
    public Builder timestamp(long timestampMillis) {
      if (timestampMillis <= 0) {
        throw new IllegalArgumentException("timestamp must be milliseconds since the epoch but was " + timestampMillis);
      }
      this.timestamp = timestampMillis;
      return this;
    }

    /** At least 16 characters, unique per request; random by default. */
    public Builder nonce(String nonce) {
      Objects.requireNonNull(nonce, "nonce");
      if (nonce.length() < 16) {
        throw new IllegalArgumentException("nonce must be at least 16 characters but has " + nonce.length());
      }
      this.nonce = nonce;
      return this;
    }

    public AblyTokenRequest build() {
      if (nonce == null) {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        nonce = HexFormat.of().formatHex(bytes);
      }
      long stamp = timestamp != null ? timestamp : clock.millis();
      timestamp = stamp;
      String toSign = key.name() + '\n' + (ttl == null ? "" : ttl) + '\n' + (capability == null ? "" : capability)
          + '\n' + (clientId == null ? "" : clientId) + '\n' + stamp + '\n' + nonce + '\n';
      return new AblyTokenRequest(this, Signatures.hmacSha256Base64(key.secret(), toSign));
    }
  }
}
