package dev.broadcasting.pusher.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.broadcasting.BroadcastException;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** The JSON answers of channel auth and user sign-in, compared with the documented responses. */
class PusherAuthSignerTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void answersThePrivateChannelVector() throws Exception {
    JsonNode v = PusherVectors.get("private_channel");
    String body = signer(v, null).signPrivate(v.get("socket_id").asText(), v.get("channel_name").asText());
    assertThat(JSON.readTree(body)).isEqualTo(v.get("response"));
  }

  @Test
  void answersThePresenceChannelVectorWithTheExactChannelData() throws Exception {
    JsonNode v = PusherVectors.get("presence_channel");
    String body = signer(v, null).signPresence(v.get("socket_id").asText(), v.get("channel_name").asText(),
        v.get("channel_data").asText());
    assertThat(JSON.readTree(body)).isEqualTo(v.get("response"));
    assertThat(JSON.readTree(body).get("channel_data").asText()).isEqualTo(v.get("channel_data").asText());
  }

  @Test
  void answersTheUserSignInVector() throws Exception {
    JsonNode v = PusherVectors.get("user_signin");
    String body = signer(v, null).signUser(v.get("socket_id").asText(), v.get("user_data").asText());
    assertThat(JSON.readTree(body)).isEqualTo(v.get("response"));
    assertThat(JavaxHmac.hex(v.get("secret").asText(), v.get("string_to_sign").asText()))
        .isEqualTo(v.get("response").get("auth").asText().split(":")[1]);
  }

  @Test
  void addsTheSharedSecretOfAnEncryptedChannel() throws Exception {
    JsonNode v = PusherVectors.get("encrypted_channel");
    byte[] masterKey = Base64.getDecoder().decode(v.get("master_key_base64").asText());
    String socket = v.get("socket_id").asText();
    String channel = v.get("channel_name").asText();

    JsonNode body = JSON.readTree(signer(v, masterKey).signPrivate(socket, channel));

    assertThat(body.size()).isEqualTo(2);
    assertThat(body.get("shared_secret").asText()).isEqualTo(v.get("response").get("shared_secret").asText());
    assertThat(body.get("auth").asText())
        .isEqualTo(v.get("key").asText() + ":" + JavaxHmac.hex(v.get("secret").asText(), socket + ":" + channel));
  }

  @Test
  void refusesAnEncryptedChannelWithoutAMasterKeyAndNamesOutsidePushersAlphabet() {
    JsonNode v = PusherVectors.get("encrypted_channel");
    PusherAuthSigner withoutKey = signer(v, null);
    assertThat(withoutKey.refusal("private-encrypted-x")).contains("PUSHER_ENCRYPTION_MASTER_KEY_BASE64");
    assertThat(withoutKey.refusal("private-x")).isNull();
    assertThat(signer(v, new byte[32]).refusal("private-encrypted-x")).isNull();
    assertThat(withoutKey.channelNameError("private-chat:1"))
        .isEqualTo("has characters outside [-a-zA-Z0-9_=@,.;], the alphabet of Pusher channel names");
    assertThat(withoutKey.channelNameError("private-chat.1")).isNull();
    assertThatThrownBy(() -> withoutKey.signPrivate("1.2", "private-encrypted-x"))
        .isInstanceOf(BroadcastException.class)
        .hasMessageContaining("PUSHER_ENCRYPTION_MASTER_KEY_BASE64");
  }

  @Test
  void aMasterKeyMustBe32Bytes() {
    JsonNode v = PusherVectors.get("encrypted_channel");
    assertThatThrownBy(() -> signer(v, new byte[31]))
        .hasMessage("Encryption master key must be 32 bytes but has 31; generate one with: openssl rand -base64 32");
  }

  private static PusherAuthSigner signer(JsonNode v, byte[] masterKey) {
    return new PusherAuthSigner(new PusherSigner(v.get("key").asText(), v.get("secret").asText()), masterKey);
  }
}
