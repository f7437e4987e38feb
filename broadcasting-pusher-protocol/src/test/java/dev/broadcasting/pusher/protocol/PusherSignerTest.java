package dev.broadcasting.pusher.protocol;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SortedMap;
import org.junit.jupiter.api.Test;

class PusherSignerTest {

  @Test
  void signsTheDocumentedHttpRequest() {
    JsonNode v = PusherVectors.get("http_request_signature");
    PusherSigner signer = new PusherSigner(v.get("key").asText(), v.get("secret").asText());
    byte[] body = v.get("body").asText().getBytes(UTF_8);

    SortedMap<String, String> query = signer.signRequest(v.get("method").asText(), v.get("path").asText(),
        Map.of(), body, v.get("auth_timestamp").asLong());

    assertThat(query).containsExactly(
        Map.entry("auth_key", v.get("key").asText()),
        Map.entry("auth_signature", v.get("auth_signature").asText()),
        Map.entry("auth_timestamp", v.get("auth_timestamp").asText()),
        Map.entry("auth_version", "1.0"),
        Map.entry("body_md5", v.get("body_md5").asText()));
  }

  @Test
  void verifiesTheDocumentedHttpRequestAndRejectsAnyChange() {
    JsonNode v = PusherVectors.get("http_request_signature");
    PusherSigner signer = new PusherSigner(v.get("key").asText(), v.get("secret").asText());
    byte[] body = v.get("body").asText().getBytes(UTF_8);
    Map<String, String> received = new HashMap<>(Map.of(
        "auth_key", v.get("key").asText(),
        "auth_timestamp", v.get("auth_timestamp").asText(),
        "auth_version", "1.0",
        "body_md5", v.get("body_md5").asText(),
        "auth_signature", v.get("auth_signature").asText()));

    assertThat(signer.verifyRequest("POST", "/apps/3/events", received, body)).isTrue();
    assertThat(signer.verifyRequest("POST", "/apps/4/events", received, body)).isFalse();
    assertThat(signer.verifyRequest("GET", "/apps/3/events", received, body)).isFalse();
    byte[] tampered = v.get("body").asText().replace("foo", "fop").getBytes(UTF_8);
    assertThat(signer.verifyRequest("POST", "/apps/3/events", received, tampered)).isFalse();
    assertThat(signer.verifyRequest("POST", "/apps/3/events", received, new byte[0])).isFalse();

    Map<String, String> otherTime = new HashMap<>(received);
    otherTime.put("auth_timestamp", "1353088180");
    assertThat(signer.verifyRequest("POST", "/apps/3/events", otherTime, body)).isFalse();

    Map<String, String> unsigned = new HashMap<>(received);
    unsigned.remove("auth_signature");
    assertThat(signer.verifyRequest("POST", "/apps/3/events", unsigned, body)).isFalse();

    PusherSigner otherSecret = new PusherSigner(v.get("key").asText(), "another-secret");
    assertThat(otherSecret.verifyRequest("POST", "/apps/3/events", received, body)).isFalse();
    PusherSigner otherKey = new PusherSigner("another-key", v.get("secret").asText());
    assertThat(otherKey.verifyRequest("POST", "/apps/3/events", received, body)).isFalse();
  }

  @Test
  void signsQueryParametersLowerCasedAndSortedAndVerifiesItsOwnSignature() {
    PusherSigner signer = new PusherSigner("key", "secret");
    Map<String, String> params = new LinkedHashMap<>();
    params.put("info", "user_count,subscription_count");
    params.put("FILTER_BY_PREFIX", "presence-");

    SortedMap<String, String> query = signer.signRequest("get", "/apps/1/channels", params, null, 1700000000L);

    assertThat(query.keySet()).containsExactly(
        "auth_key", "auth_signature", "auth_timestamp", "auth_version", "filter_by_prefix", "info");
    String expected = "GET\n/apps/1/channels\nauth_key=key&auth_timestamp=1700000000&auth_version=1.0"
        + "&filter_by_prefix=presence-&info=user_count,subscription_count";
    assertThat(query.get("auth_signature")).isEqualTo(JavaxHmac.hex("secret", expected));
    assertThat(signer.verifyRequest("GET", "/apps/1/channels", query, null)).isTrue();
    assertThat(signer.verifyRequest("GET", "/apps/1/channels", query, "{}".getBytes(UTF_8))).isFalse();
  }

  @Test
  void refusesAuthParametersInTheCallersQuery() {
    PusherSigner signer = new PusherSigner("key", "secret");
    assertThatThrownBy(() -> signer.signRequest("GET", "/x", Map.of("auth_timestamp", "1"), null, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("auth_timestamp");
  }

  @Test
  void signsThePrivateChannelVector() {
    JsonNode v = PusherVectors.get("private_channel");
    PusherSigner signer = new PusherSigner(v.get("key").asText(), v.get("secret").asText());
    assertThat(signer.channelAuth(v.get("socket_id").asText(), v.get("channel_name").asText(), null))
        .isEqualTo(v.get("response").get("auth").asText());
  }

  @Test
  void signsThePresenceChannelVector() {
    JsonNode v = PusherVectors.get("presence_channel");
    PusherSigner signer = new PusherSigner(v.get("key").asText(), v.get("secret").asText());
    assertThat(signer.channelAuth(v.get("socket_id").asText(), v.get("channel_name").asText(),
        v.get("channel_data").asText())).isEqualTo(v.get("response").get("auth").asText());
  }

  @Test
  void signsTheUserSignInVector() {
    JsonNode v = PusherVectors.get("user_signin");
    PusherSigner signer = new PusherSigner(v.get("key").asText(), v.get("secret").asText());
    assertThat(signer.userAuth(v.get("socket_id").asText(), v.get("user_data").asText()))
        .isEqualTo(v.get("response").get("auth").asText());
  }

  @Test
  void signsTheEncryptedChannelVector() {
    JsonNode v = PusherVectors.get("encrypted_channel");
    PusherSigner signer = new PusherSigner(v.get("key").asText(), v.get("secret").asText());
    byte[] masterKey = Base64.getDecoder().decode(v.get("master_key_base64").asText());

    assertThat(PusherSigner.sharedSecret(v.get("channel_name").asText(), masterKey))
        .isEqualTo(v.get("response").get("shared_secret").asText());
    assertThat(signer.channelAuth(v.get("socket_id").asText(), v.get("channel_name").asText(),
        v.get("channel_data").asText())).isEqualTo(v.get("response").get("auth").asText());
  }

  @Test
  void refusesAMasterKeyThatIsNot32Bytes() {
    assertThatThrownBy(() -> PusherSigner.sharedSecret("private-encrypted-x", new byte[31]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("32 bytes but has 31");
  }

  @Test
  void signsTheWebhookVector() {
    JsonNode v = PusherVectors.get("webhook");
    PusherSigner signer = new PusherSigner(v.get("key").asText(), v.get("secret").asText());
    assertThat(signer.webhookSignature(v.get("body").asText().getBytes(UTF_8)))
        .isEqualTo(v.get("x_pusher_signature").asText());
  }

  @Test
  void refusesBlankCredentialsAndHidesTheSecret() {
    assertThatThrownBy(() -> new PusherSigner(" ", "secret")).hasMessageContaining("app key is blank");
    assertThatThrownBy(() -> new PusherSigner("key", null)).hasMessageContaining("app secret is blank");
    PusherSigner signer = new PusherSigner("the-key", "the-very-secret");
    assertThat(signer.toString()).contains("the-key").doesNotContain("the-very-secret");
    assertThat(signer.key()).isEqualTo("the-key");
  }
}
