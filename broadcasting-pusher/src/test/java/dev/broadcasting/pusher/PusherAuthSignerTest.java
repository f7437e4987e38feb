package dev.broadcasting.pusher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.broadcasting.BroadcastException;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** The JSON answers of channel auth and user sign-in, compared with the documented responses. */
class PusherAuthSignerTest {

  @Test
  void answersThePrivateChannelVector() throws Exception {
    JsonNode v = PusherVectors.get("private_channel");
    String body = signer(v, null).signPrivate(v.get("socket_id").asText(), v.get("channel_name").asText());
    assertThat(PusherPeer.JSON.readTree(body)).isEqualTo(v.get("response"));
  }

  @Test
  void answersThePresenceChannelVectorWithTheExactChannelData() throws Exception {
    JsonNode v = PusherVectors.get("presence_channel");
    String body = signer(v, null).signPresence(v.get("socket_id").asText(), v.get("channel_name").asText(),
        v.get("channel_data").asText());
    assertThat(PusherPeer.JSON.readTree(body)).isEqualTo(v.get("response"));
    assertThat(PusherPeer.JSON.readTree(body).get("channel_data").asText()).isEqualTo(v.get("channel_data").asText());
  }

  @Test
  void answersTheUserSignInVector() throws Exception {
    JsonNode v = PusherVectors.get("user_signin");
    String body = signer(v, null).signUser(v.get("socket_id").asText(), v.get("user_data").asText());
    assertThat(PusherPeer.JSON.readTree(body)).isEqualTo(v.get("response"));
    assertThat(JavaxHmac.hex(v.get("secret").asText(), v.get("string_to_sign").asText()))
        .isEqualTo(v.get("response").get("auth").asText().split(":")[1]);
  }

  @Test
  void addsTheSharedSecretOfAnEncryptedChannel() throws Exception {
    JsonNode v = PusherVectors.get("encrypted_channel");
    byte[] masterKey = Base64.getDecoder().decode(v.get("master_key_base64").asText());
    String socket = v.get("socket_id").asText();
    String channel = v.get("channel_name").asText();

    JsonNode body = PusherPeer.JSON.readTree(signer(v, masterKey).signPrivate(socket, channel));

    assertThat(body.size()).isEqualTo(2);
    assertThat(body.get("shared_secret").asText()).isEqualTo(v.get("response").get("shared_secret").asText());
    assertThat(body.get("auth").asText())
        .isEqualTo(v.get("key").asText() + ":" + JavaxHmac.hex(v.get("secret").asText(), socket + ":" + channel));
  }

  @Test
  void refusesAnEncryptedChannelWithoutAMasterKey() {
    JsonNode v = PusherVectors.get("encrypted_channel");
    assertThatThrownBy(() -> signer(v, null).signPrivate("1.2", "private-encrypted-x"))
        .isInstanceOf(BroadcastException.class)
        .hasMessageContaining("PUSHER_ENCRYPTION_MASTER_KEY_BASE64");
  }

  @Test
  void isTheDriversSigner() throws Exception {
    JsonNode v = PusherVectors.get("encrypted_channel");
    try (PusherBroadcastDriver driver = PusherBroadcastDriver.builder().appId("1").key(v.get("key").asText())
        .secret(v.get("secret").asText()).encryptionMasterKeyBase64(v.get("master_key_base64").asText()).build()) {
      assertThat(driver.authSigner()).isInstanceOf(PusherAuthSigner.class);
      JsonNode body = PusherPeer.JSON.readTree(
          driver.authSigner().signPrivate(v.get("socket_id").asText(), v.get("channel_name").asText()));
      assertThat(body.get("shared_secret").asText()).isEqualTo(v.get("response").get("shared_secret").asText());
      assertThat(driver.authSigner().toString()).doesNotContain(v.get("secret").asText());
    }
  }

  private static PusherAuthSigner signer(JsonNode v, byte[] masterKey) {
    return new PusherAuthSigner(new PusherSigner(v.get("key").asText(), v.get("secret").asText()), masterKey);
  }
}
