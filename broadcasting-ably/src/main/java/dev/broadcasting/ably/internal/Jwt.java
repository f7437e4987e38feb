package dev.broadcasting.ably.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.broadcasting.internal.Signatures;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** HS256 JSON Web Tokens signed with an Ably key secret, the form Ably accepts as a token. */
public final class Jwt {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();

  private Jwt() {}

  /** {@code header.claims.signature}, header {@code {"typ":"JWT","alg":"HS256","kid":keyName}}. */
  public static String sign(AblyKey key, ObjectNode claims) {
    ObjectNode header = MAPPER.createObjectNode().put("typ", "JWT").put("alg", "HS256").put("kid", key.name());
    String signed = encode(header) + '.' + encode(claims);
    return signed + '.' + signature(key, signed);
  }

  /**
   * The claims of {@code token} when it is a JWT this key signed (same {@code kid}, valid HS256
   * signature), or null. Expiry is the caller's to check.
   */
  public static ObjectNode verify(AblyKey key, String token) {
    if (token == null) {
      return null;
    }
    String[] parts = token.split("\\.", -1);
    if (parts.length != 3) {
      return null;
    }
    try {
      JsonNode header = MAPPER.readTree(Base64.getUrlDecoder().decode(parts[0]));
      if (!"HS256".equals(header.path("alg").asText()) || !key.name().equals(header.path("kid").asText())) {
        return null;
      }
      if (!Signatures.constantTimeEquals(signature(key, parts[0] + '.' + parts[1]), parts[2])) {
        return null;
      }
      JsonNode claims = MAPPER.readTree(Base64.getUrlDecoder().decode(parts[1]));
      return claims instanceof ObjectNode ? (ObjectNode) claims : null;
    } catch (Exception malformed) {
      return null;
    }
  }

  private static String encode(JsonNode node) {
    try {
      return B64URL.encodeToString(MAPPER.writeValueAsBytes(node));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String signature(AblyKey key, String signed) {
    return B64URL.encodeToString(Signatures.hmacSha256(key.secret().getBytes(StandardCharsets.UTF_8),
        signed.getBytes(StandardCharsets.UTF_8)));
  }
}
