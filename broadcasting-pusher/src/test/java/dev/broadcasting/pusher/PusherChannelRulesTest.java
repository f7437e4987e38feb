package dev.broadcasting.pusher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.broadcasting.AuthResponse;
import dev.broadcasting.BroadcastException;
import dev.broadcasting.Channel;
import dev.broadcasting.ChannelAuthorizer;
import dev.broadcasting.PrivateChannel;
import dev.broadcasting.pusher.protocol.JavaxHmac;
import dev.broadcasting.spi.BroadcastMessage;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Pusher's own rules on a pusher connection: its channel alphabet, the SDK's socket ids, encrypted channels. */
class PusherChannelRulesTest {
  private static final String ALPHABET_ERROR = "has characters outside [-a-zA-Z0-9_=@,.;], the alphabet of Pusher "
      + "channel names";

  private PusherPeer peer;
  private PusherBroadcastDriver driver;
  private ChannelAuthorizer<String> channels;

  @BeforeEach
  void start() throws Exception {
    peer = new PusherPeer();
    driver = peer.driver().build();
    channels = ChannelAuthorizer.<String>create(driver.authSigner())
        .channel("chat.{id}", (user, params) -> true)
        .channel("chat:{id}", (user, params) -> true)
        .channel("encrypted-chat.{id}", (user, params) -> true);
  }

  @AfterEach
  void stop() {
    driver.close();
    peer.close();
  }

  @Test
  void aLaravelNameOutsidePushersAlphabetFailsForGoodAndIsNeverSent() throws Exception {
    CompletableFuture<Void> refused = driver.publish(
        BroadcastMessage.of("Sent", List.of(new PrivateChannel("chat:1")), "{}"));
    assertThat(refused).isCompletedExceptionally();
    BroadcastException failure = (BroadcastException) refused.handle((ok, e) -> e).join();
    assertThat(failure.isRetryable()).isFalse();
    assertThat(failure.getMessage()).startsWith("Channel \"private-chat:1\" " + ALPHABET_ERROR);

    driver.publish(BroadcastMessage.of("Sent", List.of(new Channel("chat.1")), "{}")).get(10, TimeUnit.SECONDS);
    assertThat(peer.takeSigned().json().get("channels").toString()).isEqualTo("[\"chat.1\"]");
  }

  @Test
  void theAuthCallAnswers400ForANameOutsidePushersAlphabet() {
    assertThat(channels.authorizeForm("socket_id=1.2&channel_name=private-chat%3A1", "ann"))
        .isEqualTo(new AuthResponse(400, "{\"error\":\"channel_name " + ALPHABET_ERROR + "\"}"));
  }

  @Test
  void anEncryptedChannelWithoutAMasterKeyIs403NotAnException() {
    assertThat(channels.authorizeForm("socket_id=1.2&channel_name=private-encrypted-chat.1", "ann"))
        .isEqualTo(new AuthResponse(403, "{\"error\":\"Forbidden\"}"));
    assertThat(channels.authorizeForm("socket_id=1.2&channel_name=private-chat.1", "ann").status()).isEqualTo(200);
  }

  @Test
  void socketIdsFollowTheSdkRule() throws Exception {
    String socketId = "123456789012345678901.1";
    AuthResponse answer = channels.authorizeForm("socket_id=" + socketId + "&channel_name=private-chat.1", "ann");
    assertThat(answer).isEqualTo(new AuthResponse(200, "{\"auth\":\"" + peer.key + ":"
        + JavaxHmac.hex(peer.secret, socketId + ":private-chat.1") + "\"}"));

    driver.publish(BroadcastMessage.of("Sent", List.of(new Channel("chat.1")), "{}", socketId, null))
        .get(10, TimeUnit.SECONDS);
    assertThat(peer.takeSigned().json().get("socket_id").asText()).isEqualTo(socketId);

    CompletableFuture<Void> garbage = driver.publish(
        BroadcastMessage.of("Sent", List.of(new Channel("chat.1")), "{}", "1.2\n", null));
    assertThat(garbage.handle((ok, e) -> e.getMessage()).join())
        .contains("is not a Pusher socket id (digits.digits)");
  }
}
