package dev.broadcasting.ably;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Both auth styles against the documented vectors, with every HMAC recomputed here with javax.crypto. */
class AblyAuthTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String KEY = "appId.keyId:keySecret";
  private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

  private static JsonNode vectors;

  @BeforeAll
  static void loadVectors() throws Exception {
    try (InputStream in = AblyAuthTest.class.getResourceAsStream("/vectors/ably.json")) {
      vectors = JSON.readTree(in);
    }
  }

  @Test
  void laravelStyleSignatureMatchesTheVector() throws Exception {
    JsonNode v = vectors.get("laravel_style_signature");
    AblyAuthSigner signer = AblyAuthSigner.of(v.get("key").asText());
    String body = signer.signPrivate(v.get("socket_id").asText(), v.get("channel_name").asText());

    assertThat(JSON.readTree(body)).isEqualTo(v.get("response"));
    assertThat(hmacHex("keySecret", v.get("string_to_sign").asText())).isEqualTo(v.get("hex_hmac_sha256").asText());
  }

  @Test
  void presenceSignatureCoversTheExactChannelData() throws Exception {
    String channelData = "{\"user_id\":1,\"user_info\":{\"name\":\"Zoë\"}}";
    String body = AblyAuthSigner.of(KEY).signPresence("1234.1234", "presence-room.1", channelData);

    JsonNode answer = JSON.readTree(body);
    assertThat(answer.get("channel_data").asText()).isEqualTo(channelData);
    assertThat(answer.get("auth").asText())
        .isEqualTo("appId.keyId:" + hmacHex("keySecret", "1234.1234:presence-room.1:" + channelData));
    assertThat(answer.size()).isEqualTo(2);
  }

  @Test
  void driverSignsWithItsKeyAndHidesTheSecret() throws Exception {
    AblyBroadcastDriver driver = AblyBroadcastDriver.builder().key(KEY).build();
    assertThat(driver.authSigner().signPrivate("1234.1234", "private-chat.1"))
        .isEqualTo("{\"auth\":\"appId.keyId:057a789dd0091a052fe2e47299d7c6287c11af7bdbee735cbaf370cf57d89d39\"}");
    assertThat(driver.toString()).contains("appId.keyId").doesNotContain("keySecret");
    assertThat(driver.authSigner().toString()).doesNotContain("keySecret");
    driver.close();
  }

  @Test
  void tokenRequestMacMatchesTheVector() throws Exception {
    JsonNode v = vectors.get("token_request").get("example");
    AblyTokens tokens = AblyTokens.builder().key(v.get("keyName").asText() + ":" + v.get("key_secret").asText()).build();
    AblyTokenRequest request = tokens.tokenRequest()
        .ttl(Duration.ofMillis(v.get("ttl").asLong()))
        .capability(v.get("capability").asText())
        .clientId(v.get("clientId").asText())
        .timestamp(v.get("timestamp").asLong())
        .nonce(v.get("nonce").asText())
        .build();

    assertThat(request.mac()).isEqualTo(v.get("mac").asText());
    String toSign = "appId.keyId\n3600000\n{\"private:chat.1\":[\"subscribe\"]}\nuser-1\n1700000000000\nabcdefghijklmnop\n";
    assertThat(hmacBase64("keySecret", toSign)).isEqualTo(v.get("mac").asText());
    JsonNode json = JSON.readTree(request.toJson());
    assertThat(json.get("keyName").asText()).isEqualTo("appId.keyId");
    assertThat(json.get("ttl").asLong()).isEqualTo(3600000);
    assertThat(json.get("capability").asText()).isEqualTo("{\"private:chat.1\":[\"subscribe\"]}");
    assertThat(json.get("clientId").asText()).isEqualTo("user-1");
    assertThat(json.get("timestamp").asLong()).isEqualTo(1700000000000L);
    assertThat(json.get("nonce").asText()).isEqualTo("abcdefghijklmnop");
    assertThat(json.get("mac").asText()).isEqualTo(v.get("mac").asText());
  }

  @Test
  void tokenRequestWithAbsentFieldsSignsThemEmptyAndUsesTheClock() {
    AblyTokens tokens = AblyTokens.builder().key(KEY).clock(Clock.fixed(NOW, ZoneOffset.UTC)).build();
    AblyTokenRequest request = tokens.tokenRequest()
        .capability(Map.of("public:*", List.of("subscribe"), "private:a", List.of("subscribe", "history", "subscribe")))
        .nonce("0123456789abcdef").build();
    String capability = "{\"private:a\":[\"history\",\"subscribe\"],\"public:*\":[\"subscribe\"]}";
    assertThat(request.timestamp()).isEqualTo(NOW.toEpochMilli());
    assertThat(request.mac()).isEqualTo(hmacBase64("keySecret",
        "appId.keyId\n\n" + capability + "\n\n" + NOW.toEpochMilli() + "\n0123456789abcdef\n"));
    assertThat(request.toJson()).doesNotContain("keySecret").doesNotContain("\"ttl\"").doesNotContain("clientId");
  }

  @Test
  void jwtHasTheDocumentedHeaderAndClaimsAndAVerifiableSignature() throws Exception {
    AblyTokens tokens = AblyTokens.builder().key(KEY).clock(Clock.fixed(NOW, ZoneOffset.UTC)).build();
    String jwt = tokens.jwt("private:chat.1", null, "user-1");

    JsonNode claims = verifyJwt(jwt);
    assertThat(claims.get("iat").asLong()).isEqualTo(NOW.getEpochSecond());
    assertThat(claims.get("exp").asLong()).isEqualTo(NOW.getEpochSecond() + 8 * 3600);
    assertThat(claims.get("x-ably-clientId").asText()).isEqualTo("user-1");
    assertThat(claims.get("x-ably-capability").asText()).isEqualTo(
        "{\"private:chat.1\":[\"*\"],\"public:*\":[\"channel-metadata\",\"history\",\"subscribe\"]}");
  }

  @Test
  void stillValidClientTokenKeepsItsGrantsAndExpiryAndGainsTheNewChannel() throws Exception {
    AblyTokens earlier = AblyTokens.builder().key(KEY).clock(Clock.fixed(NOW, ZoneOffset.UTC)).build();
    String first = earlier.jwt("private:chat.1", null, "user-1");
    Instant later = NOW.plusSeconds(600);
    AblyTokens now = AblyTokens.builder().key(KEY).clock(Clock.fixed(later, ZoneOffset.UTC)).build();

    JsonNode claims = verifyJwt(now.jwt("presence:room.2", first, "user-1"));
    assertThat(claims.get("iat").asLong()).isEqualTo(NOW.getEpochSecond());
    assertThat(claims.get("exp").asLong()).isEqualTo(NOW.getEpochSecond() + 8 * 3600);
    assertThat(JSON.readTree(claims.get("x-ably-capability").asText())).isEqualTo(JSON.readTree(
        "{\"presence:room.2\":[\"*\"],\"private:chat.1\":[\"*\"],\"public:*\":[\"channel-metadata\",\"history\",\"subscribe\"]}"));
  }

  @Test
  void expiredOrForeignTokensAreNotMerged() throws Exception {
    AblyTokens issuer = AblyTokens.builder().key(KEY).expiry(Duration.ofMinutes(1))
        .clock(Clock.fixed(NOW, ZoneOffset.UTC)).build();
    String expired = issuer.jwt("private:old", null, "u");
    String foreign = AblyTokens.builder().key("appId.keyId:otherSecret").clock(Clock.fixed(NOW, ZoneOffset.UTC))
        .build().jwt("private:stolen", null, "u");
    AblyTokens now = AblyTokens.builder().key(KEY).clock(Clock.fixed(NOW.plusSeconds(120), ZoneOffset.UTC)).build();

    for (String token : List.of(expired, foreign, "not.a.jwt", "")) {
      JsonNode claims = verifyJwt(now.jwt("private:new", token, "u"));
      assertThat(claims.get("iat").asLong()).isEqualTo(NOW.getEpochSecond() + 120);
      assertThat(JSON.readTree(claims.get("x-ably-capability").asText()).fieldNames())
          .toIterable().containsExactly("private:new", "public:*");
    }
  }

  @Test
  void authResponseCarriesTheTokenAndThePresenceData() throws Exception {
    AblyTokens tokens = AblyTokens.builder().key(KEY).build();
    JsonNode body = JSON.readTree(tokens.authResponse("presence:room.1", null, "7", "{\"name\":\"Ann\"}"));
    verifyJwt(body.get("token").asText());
    assertThat(body.get("info").toString()).isEqualTo("{\"name\":\"Ann\"}");
    assertThat(JSON.readTree(tokens.authResponse("private:a", null, null, null)).fieldNames())
        .toIterable().containsExactly("token");
    assertThatThrownBy(() -> tokens.authResponse("presence:a", null, "7", "{name"))
        .hasMessageContaining("presenceData must be JSON");
    assertThatThrownBy(() -> tokens.authResponse("presence:a", null, "7", " "))
        .hasMessageContaining("presenceData must be JSON");
  }

  @Test
  void anonymousTokenHasNoClientIdAndPublicChannelsGainNothing() throws Exception {
    JsonNode claims = verifyJwt(AblyTokens.builder().key(KEY).build().jwt("public:news", null, null));
    assertThat(claims.has("x-ably-clientId")).isFalse();
    assertThat(claims.get("x-ably-capability").asText())
        .isEqualTo("{\"public:*\":[\"channel-metadata\",\"history\",\"subscribe\"]}");
  }

  /** Decodes a JWT and checks its HS256 signature with javax.crypto; returns the claims. */
  private static JsonNode verifyJwt(String jwt) throws Exception {
    String[] parts = jwt.split("\\.");
    assertThat(parts).hasSize(3);
    JsonNode header = JSON.readTree(Base64.getUrlDecoder().decode(parts[0]));
    assertThat(header).isEqualTo(JSON.readTree("{\"typ\":\"JWT\",\"alg\":\"HS256\",\"kid\":\"appId.keyId\"}"));
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec("keySecret".getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    byte[] expected = mac.doFinal((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
    assertThat(Base64.getUrlDecoder().decode(parts[2])).isEqualTo(expected);
    assertThat(parts[2]).doesNotContain("=");
    return JSON.readTree(Base64.getUrlDecoder().decode(parts[1]));
  }

  private static String hmacHex(String secret, String data) throws Exception {
    return HexFormat.of().formatHex(hmac(secret, data));
  }

  private static String hmacBase64(String secret, String data) {
    try {
      return Base64.getEncoder().encodeToString(hmac(secret, data));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static byte[] hmac(String secret, String data) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
  }
}
