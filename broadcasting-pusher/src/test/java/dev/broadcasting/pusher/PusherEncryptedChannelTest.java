package dev.broadcasting.pusher;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.goterl.lazysodium.LazySodiumJava;
import com.goterl.lazysodium.SodiumJava;
import dev.broadcasting.BroadcastException;
import dev.broadcasting.Channel;
import dev.broadcasting.EncryptedPrivateChannel;
import dev.broadcasting.pusher.protocol.PusherSigner;
import dev.broadcasting.pusher.protocol.PusherVectors;
import dev.broadcasting.spi.BroadcastMessage;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Events on private-encrypted- channels, decrypted here as pusher-js would, with libsodium. */
class PusherEncryptedChannelTest {
  private static final LazySodiumJava SODIUM = new LazySodiumJava(new SodiumJava());

  private PusherPeer peer;
  private PusherBroadcastDriver driver;
  private byte[] masterKey;

  @BeforeEach
  void start() throws Exception {
    JsonNode v = PusherVectors.get("encrypted_channel");
    peer = new PusherPeer("7", v.get("key").asText(), v.get("secret").asText());
    driver = peer.driver().encryptionMasterKeyBase64(v.get("master_key_base64").asText()).build();
    masterKey = Base64.getDecoder().decode(v.get("master_key_base64").asText());
  }

  @AfterEach
  void stop() {
    driver.close();
    peer.close();
  }

  @Test
  void encryptsTheDataSoThatTheSharedSecretDecryptsIt() throws Exception {
    String payload = "{\"message\":\"héllo 🎉\",\"n\":1}";
    driver.publish(BroadcastMessage.of("Secret", List.of(new EncryptedPrivateChannel("bla")), payload))
        .get(10, TimeUnit.SECONDS);

    JsonNode body = peer.takeSigned().json();
    assertThat(body.get("channels").toString()).isEqualTo("[\"private-encrypted-bla\"]");
    JsonNode data = PusherPeer.JSON.readTree(body.get("data").asText());
    assertThat(data.size()).isEqualTo(2);
    byte[] nonce = Base64.getDecoder().decode(data.get("nonce").asText());
    byte[] cipher = Base64.getDecoder().decode(data.get("ciphertext").asText());
    assertThat(nonce).hasSize(24);
    assertThat(new String(open(cipher, nonce, sharedSecret("private-encrypted-bla")), UTF_8)).isEqualTo(payload);
    assertThat(open(cipher, nonce, sharedSecret("private-encrypted-other"))).isNull();
  }

  @Test
  void usesAFreshNonceForEveryEvent() throws Exception {
    List<String> nonces = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      driver.publish(BroadcastMessage.of("Secret", List.of(new EncryptedPrivateChannel("bla")), "{}"))
          .get(10, TimeUnit.SECONDS);
      nonces.add(PusherPeer.JSON.readTree(peer.takeSigned().json().get("data").asText()).get("nonce").asText());
    }
    assertThat(nonces).doesNotHaveDuplicates();
  }

  @Test
  void encryptsEachBatchItemWithItsOwnChannelsSecret() throws Exception {
    driver.publishAll(List.of(
        BroadcastMessage.of("A", List.of(new EncryptedPrivateChannel("one")), "{\"a\":1}"),
        BroadcastMessage.of("B", List.of(new EncryptedPrivateChannel("two")), "{\"b\":2}"),
        BroadcastMessage.of("C", List.of(new Channel("plain")), "{\"c\":3}"))).get(10, TimeUnit.SECONDS);

    JsonNode batch = peer.takeSigned().json().get("batch");
    assertThat(batch).hasSize(3);
    assertThat(decrypt(batch.get(0))).isEqualTo("{\"a\":1}");
    assertThat(decrypt(batch.get(1))).isEqualTo("{\"b\":2}");
    assertThat(batch.get(2).get("data").asText()).isEqualTo("{\"c\":3}");
  }

  @Test
  void refusesAnEncryptedChannelTogetherWithAnother() {
    BroadcastException error = PusherBroadcastDriverTest.failure(driver.publish(BroadcastMessage.of("Mixed",
        List.of(new EncryptedPrivateChannel("bla"), new Channel("public")), "{}")));

    assertThat(error.isRetryable()).isFalse();
    assertThat(error.getMessage()).contains("encrypted channel").contains("private-encrypted-bla").contains("public");
    BroadcastException inBatch = PusherBroadcastDriverTest.failure(driver.publishAll(List.of(BroadcastMessage.of(
        "Mixed", List.of(new EncryptedPrivateChannel("bla"), new EncryptedPrivateChannel("other")), "{}"))));
    assertThat(inBatch.isRetryable()).isFalse();
    assertThat(peer.requestCount()).isZero();
  }

  @Test
  void refusesAnEncryptedChannelWithoutAMasterKey() {
    try (PusherBroadcastDriver plain = peer.driver().build()) {
      BroadcastException error = PusherBroadcastDriverTest.failure(plain.publish(BroadcastMessage.of("Secret",
          List.of(new EncryptedPrivateChannel("bla")), "{}")));
      assertThat(error.isRetryable()).isFalse();
      assertThat(error.getMessage()).contains("PUSHER_ENCRYPTION_MASTER_KEY_BASE64");
    }
    assertThat(peer.requestCount()).isZero();
  }

  @Test
  void appliesTheLimitToTheEncryptedData() {
    // 8000 bytes of plaintext, under the limit, become 4/3 as much base64 plus the nonce: over 10 KB.
    String payload = "{\"t\":\"" + "x".repeat(8000) + "\"}";
    BroadcastException error = PusherBroadcastDriverTest.failure(driver.publish(BroadcastMessage.of("Big",
        List.of(new EncryptedPrivateChannel("bla")), payload)));
    assertThat(error.getMessage()).contains("limit of 10240 bytes");
    assertThat(peer.requestCount()).isZero();
  }

  private String decrypt(JsonNode item) throws Exception {
    JsonNode data = PusherPeer.JSON.readTree(item.get("data").asText());
    byte[] plain = open(Base64.getDecoder().decode(data.get("ciphertext").asText()),
        Base64.getDecoder().decode(data.get("nonce").asText()), sharedSecret(item.get("channel").asText()));
    return plain == null ? null : new String(plain, UTF_8);
  }

  /** SHA-256 of the channel name and master key, computed here rather than by PusherSigner. */
  private byte[] sharedSecret(String channel) throws Exception {
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    sha.update(channel.getBytes(UTF_8));
    sha.update(masterKey);
    return sha.digest();
  }

  private static byte[] open(byte[] cipher, byte[] nonce, byte[] key) {
    byte[] plain = new byte[cipher.length - 16];
    return SODIUM.cryptoSecretBoxOpenEasy(plain, cipher, cipher.length, nonce, key) ? plain : null;
  }
}
