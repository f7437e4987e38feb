package dev.broadcasting.ably;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.broadcasting.AuthResponse;
import dev.broadcasting.ChannelAuthorizer;
import dev.broadcasting.PresenceMember;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/** The @ably/laravel-echo auth route: core's channel callbacks decide, the answer is an Ably JWT. */
class EchoAuthTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  record User(long id, String name) {}

  private final AblyTokens tokens = AblyTokens.builder().key(FakeAbly.KEY).build();
  private final ChannelAuthorizer<User> channels = ChannelAuthorizer.<User>create(AblyAuthSigner.of(FakeAbly.KEY))
      .channel("chat.{id}", (user, params) -> params.getLong("id") == 1)
      .presence("room.{id}", (user, params) -> PresenceMember.of(user.id(), Map.of("name", user.name() + " u" + user.id())))
      .presence("lobby", (user, params) -> PresenceMember.of(user.id()))
      .presence("hall", (user, params) -> PresenceMember.of(user.id(), Map.of()));
  private final AblyEchoAuth<User> auth = AblyEchoAuth.create(channels, tokens, user -> String.valueOf(user.id()));
  private final User ann = new User(7, "Ann");

  @Test
  void allowedPrivateChannelIsGrantedInTheToken() throws Exception {
    AuthResponse answer = auth.authorizeJson("{\"channel_name\":\"private:chat.1\",\"token\":null}", ann);
    assertThat(answer.status()).isEqualTo(200);
    JsonNode body = JSON.readTree(answer.body());
    assertThat(body.size()).isEqualTo(1);
    JsonNode claims = verifiedClaims(body.get("token").asText());
    assertThat(claims.get("x-ably-clientId").asText()).isEqualTo("7");
    assertThat(JSON.readTree(claims.get("x-ably-capability").asText()).get("private:chat.1").toString())
        .isEqualTo("[\"*\"]");
  }

  @Test
  void presenceAnswerCarriesTheCallbacksDataAsInfoAndKeepsEarlierGrants() throws Exception {
    String first = JSON.readTree(auth.authorizeJson("{\"channel_name\":\"private:chat.1\"}", ann).body())
        .get("token").asText();
    AuthResponse answer = auth.authorizeJson(
        JSON.createObjectNode().put("channel_name", "presence:room.9").put("token", first).toString(), ann);
    assertThat(answer.status()).isEqualTo(200);
    JsonNode body = JSON.readTree(answer.body());
    // ably/laravel-broadcaster answers the callback's data as it is; Echo enters presence with it
    assertThat(body.get("info").toString()).isEqualTo("{\"name\":\"Ann u7\"}");
    JsonNode claims = verifiedClaims(body.get("token").asText());
    assertThat(claims.get("x-ably-clientId").asText()).isEqualTo("7");
    JsonNode capability = JSON.readTree(claims.get("x-ably-capability").asText());
    assertThat(capability.fieldNames()).toIterable().containsExactly("presence:room.9", "private:chat.1", "public:*");
  }

  @Test
  void aMemberWithoutInfoGetsNoInfoAsLaravelLeavesOutAnEmptyArray() throws Exception {
    for (String channel : new String[] {"presence:lobby", "presence:hall"}) {
      AuthResponse answer = auth.authorizeJson("{\"channel_name\":\"" + channel + "\"}", ann);
      assertThat(answer.status()).isEqualTo(200);
      assertThat(JSON.readTree(answer.body()).fieldNames()).toIterable().containsExactly("token");
    }
  }

  @Test
  void deniedOrAnonymousGetsCoresForbidden() {
    assertThat(auth.authorizeJson("{\"channel_name\":\"private:chat.2\"}", ann).status()).isEqualTo(403);
    assertThat(auth.authorizeJson("{\"channel_name\":\"private:chat.1\"}", null).status()).isEqualTo(403);
    assertThat(auth.authorizeJson("{\"channel_name\":\"private:other\"}", ann).status()).isEqualTo(403);
  }

  @Test
  void publicChannelNeedsNoCallbackAndMalformedBodiesAreRefused() throws Exception {
    AuthResponse answer = auth.authorizeJson("{\"channel_name\":\"public:news\"}", null);
    assertThat(answer.status()).isEqualTo(200);
    assertThat(verifiedClaims(JSON.readTree(answer.body()).get("token").asText()).has("x-ably-clientId")).isFalse();
    assertThat(auth.authorizeJson("channel_name=private:chat.1", ann).status()).isEqualTo(400);
    assertThat(auth.authorizeJson("{\"channel_name\":7}", ann).status()).isEqualTo(400);
    assertThat(auth.authorizeJson("[]", ann).status()).isEqualTo(400);
  }

  @Test
  void echosFirstRequestWithoutAChannelGetsThePublicGrants() throws Exception {
    AuthResponse answer = auth.authorizeJson("{\"channel_name\":null,\"token\":null}", ann);
    assertThat(answer.status()).isEqualTo(200);
    JsonNode claims = verifiedClaims(JSON.readTree(answer.body()).get("token").asText());
    assertThat(claims.get("x-ably-capability").asText())
        .isEqualTo("{\"public:*\":[\"channel-metadata\",\"history\",\"subscribe\"]}");
    assertThat(claims.get("x-ably-clientId").asText()).isEqualTo("7");
  }

  private static JsonNode verifiedClaims(String jwt) throws Exception {
    String[] parts = jwt.split("\\.");
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec("keySecret".getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    assertThat(Base64.getUrlDecoder().decode(parts[2]))
        .isEqualTo(mac.doFinal((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII)));
    return JSON.readTree(Base64.getUrlDecoder().decode(parts[1]));
  }
}
