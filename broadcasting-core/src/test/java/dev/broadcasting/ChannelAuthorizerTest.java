package dev.broadcasting;

import static org.assertj.core.api.Assertions.assertThat;

import dev.broadcasting.spi.ChannelAuthSigner;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ChannelAuthorizerTest {
  record User(long id, String name) {}

  private static final User ANN = new User(1, "Ann");
  private static final String FORBIDDEN = "{\"error\":\"Forbidden\"}";

  /** Records what it was asked to sign, so tests see the exact strings core hands to a driver. */
  static class RecordingSigner implements ChannelAuthSigner {
    final List<String> calls = new CopyOnWriteArrayList<>();

    @Override
    public String signPrivate(String socketId, String channelName) {
      calls.add("private " + socketId + " " + channelName);
      return "{\"auth\":\"private\"}";
    }

    @Override
    public String signPresence(String socketId, String channelName, String channelData) {
      calls.add("presence " + socketId + " " + channelName + " " + channelData);
      return "{\"auth\":\"presence\"}";
    }

    @Override
    public String signUser(String socketId, String userData) {
      calls.add("user " + socketId + " " + userData);
      return "{\"auth\":\"user\"}";
    }
  }

  private final RecordingSigner signer = new RecordingSigner();
  private final ChannelAuthorizer<User> channels = ChannelAuthorizer.<User>create(signer)
      .channel("chat.{userId}", (user, params) -> user.id() == params.getLong("userId"))
      .presence("room.{roomId}", (user, params) -> PresenceMember.of(user.id(), Map.of("name", user.name())))
      .channel("orders.{orderId}", (user, params) -> true)
      .channel("orders.{orderId}.items", (user, params) -> false)
      .channel("boom", (user, params) -> {
        throw new IllegalStateException("database down");
      });

  @Test
  void privateChannelAllowedByItsCallbackIsSigned() {
    AuthResponse answer = channels.authorize("1234.5678", "private-chat.1", ANN);
    assertThat(answer).isEqualTo(new AuthResponse(200, "{\"auth\":\"private\"}"));
    assertThat(signer.calls).containsExactly("private 1234.5678 private-chat.1");
  }

  @Test
  void theCallbackDenies() {
    assertThat(channels.authorize("1.2", "private-chat.2", ANN)).isEqualTo(new AuthResponse(403, FORBIDDEN));
    assertThat(signer.calls).isEmpty();
  }

  @Test
  void presenceMemberIsSerializedOnceAndSignedAsItStands() {
    AuthResponse answer = channels.authorize("1.2", "presence-room.7", ANN);
    assertThat(answer.status()).isEqualTo(200);
    assertThat(signer.calls).containsExactly("presence 1.2 presence-room.7 {\"user_id\":1,\"user_info\":{\"name\":\"Ann\"}}");
  }

  @Test
  void encryptedPrivateChannelsAreNormalizedToo() {
    assertThat(channels.authorize("1.2", "private-encrypted-chat.1", ANN).status()).isEqualTo(200);
    assertThat(signer.calls).containsExactly("private 1.2 private-encrypted-chat.1");
  }

  @Test
  void theWholeNameMustMatchAndTheFirstMatchWins() {
    assertThat(channels.authorize("1.2", "private-orders.5", ANN).status()).isEqualTo(200);
    assertThat(channels.authorize("1.2", "private-orders.5.items", ANN).status()).isEqualTo(403);
    assertThat(channels.authorize("1.2", "private-orders.5.secret", ANN).status()).isEqualTo(403);
    assertThat(channels.authorize("1.2", "private-xorders.5", ANN).status()).isEqualTo(403);
    assertThat(channels.authorize("1.2", "private-chat.1.", ANN).status()).isEqualTo(403);
  }

  @Test
  void noUserNoMatchAndPublicChannelsAreForbidden() {
    assertThat(channels.authorize("1.2", "private-chat.1", null)).isEqualTo(new AuthResponse(403, FORBIDDEN));
    assertThat(channels.authorize("1.2", "private-unknown.1", ANN).status()).isEqualTo(403);
    assertThat(channels.authorize("1.2", "chat.1", ANN).status()).isEqualTo(403);
    assertThat(signer.calls).isEmpty();
  }

  @Test
  void aCallbackThatThrowsIsForbiddenAndItsMessageIsNotShown() {
    AuthResponse answer = channels.authorize("1.2", "private-boom", ANN);
    assertThat(answer).isEqualTo(new AuthResponse(403, FORBIDDEN));
    assertThat(answer.body()).doesNotContain("database");
  }

  @Test
  void aPresenceChannelNeedsAMemberNotABoolean() {
    assertThat(channels.authorize("1.2", "presence-chat.1", ANN).status()).isEqualTo(403);
    assertThat(channels.authorize("1.2", "private-room.1", ANN).status()).isEqualTo(200);
  }

  @Test
  void aParameterThatDoesNotConvertIsForbidden() {
    assertThat(channels.authorize("1.2", "private-chat.abc", ANN).status()).isEqualTo(403);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "''|private-chat.1|socket_id is missing",
      "abc|private-chat.1|socket_id is malformed",
      "1.1:private-other|private-chat.1|socket_id is malformed",
      "'1.1 '|private-chat.1|socket_id is malformed",
      "1.2|''|channel_name is missing",
      "1.2|private-chat 1|channel_name has a space or control character at index 12",
      "1.2|private-chat\t1|channel_name has a space or control character at index 12",
      "1.2|private-|channel_name has nothing after its prefix",
  })
  void badInputIs400WithAShortReason(String socketId, String channel, String reason) {
    AuthResponse answer = channels.authorize(socketId, channel, ANN);
    assertThat(answer.status()).isEqualTo(400);
    assertThat(answer.body()).startsWith("{\"error\":\"" + reason);
    assertThat(signer.calls).isEmpty();
  }

  /** The official SDKs accept {@code ^\\d+\\.\\d+$}; only the total length is bounded. */
  @Test
  void socketIdsFollowTheSdkRuleBoundedByLength() {
    assertThat(channels.authorize("123456789012345678901.1", "private-chat.1", ANN).status()).isEqualTo(200);
    String longest = "1".repeat(32) + "." + "2".repeat(31);
    assertThat(channels.authorize(longest, "private-chat.1", ANN).status()).isEqualTo(200);
    assertThat(channels.authorize(longest + "3", "private-chat.1", ANN)).isEqualTo(new AuthResponse(400,
        "{\"error\":\"socket_id is longer than 64 characters; expected digits.digits such as 1234.5678\"}"));
    assertThat(channels.authorize("1.2.3", "private-chat.1", ANN)).isEqualTo(new AuthResponse(400,
        "{\"error\":\"socket_id is malformed; expected digits.digits such as 1234.5678\"}"));
  }

  @Test
  void aConnectionsOwnNameRuleAnswers400WithItsReason() {
    ChannelAuthSigner pusherLike = new RecordingSigner() {
      @Override
      public String channelNameError(String channelName) {
        return channelName.contains(":") ? "has characters outside the alphabet" : null;
      }
    };
    ChannelAuthorizer<User> strict = ChannelAuthorizer.<User>create(pusherLike).channel("chat:{id}", (u, p) -> true);
    assertThat(strict.authorizeForm("socket_id=1.2&channel_name=private-chat%3A1", ANN))
        .isEqualTo(new AuthResponse(400, "{\"error\":\"channel_name has characters outside the alphabet\"}"));
    assertThat(strict.decide("private-chat:1", ANN).allowed()).isFalse();
  }

  @Test
  void aChannelTheConnectionCannotSignIsForbiddenNotThrown() {
    RecordingSigner noMasterKey = new RecordingSigner() {
      @Override
      public String refusal(String channelName) {
        return channelName.startsWith("private-encrypted-") ? "encrypted channels need the master key" : null;
      }
    };
    ChannelAuthorizer<User> auth = ChannelAuthorizer.<User>create(noMasterKey).channel("chat.{id}", (u, p) -> true);
    assertThat(auth.authorizeForm("socket_id=1.2&channel_name=private-encrypted-chat.1", ANN))
        .isEqualTo(new AuthResponse(403, FORBIDDEN));
    assertThat(auth.authorizeForm("socket_id=1.2&channel_name=private-chat.1", ANN).status()).isEqualTo(200);
    assertThat(noMasterKey.calls).containsExactly("private 1.2 private-chat.1");
  }

  @Test
  void aSignerThatThrowsIsForbiddenNotThrown() {
    ChannelAuthSigner broken = new RecordingSigner() {
      @Override
      public String signPrivate(String socketId, String channelName) {
        throw new IllegalStateException("bug in a driver");
      }
    };
    ChannelAuthorizer<User> auth = ChannelAuthorizer.<User>create(broken).channel("chat.{id}", (u, p) -> true);
    assertThat(auth.authorize("1.2", "private-chat.1", ANN)).isEqualTo(new AuthResponse(403, FORBIDDEN));
  }

  @Test
  void aSocketIdWithATrailingNewlineIsMalformed() {
    assertThat(channels.authorize("1.1\n", "private-chat.1", ANN).status()).isEqualTo(400);
    assertThat(channels.authorize("1.1\n:private-x", "private-chat.1", ANN).status()).isEqualTo(400);
  }

  @Test
  void formAndJsonBodiesAreParsed() {
    assertThat(channels.authorizeForm("socket_id=1234.5678&channel_name=private-chat.1", ANN).status()).isEqualTo(200);
    assertThat(channels.authorizeForm("channel_name=presence-room.1&socket_id=1.2", ANN).status()).isEqualTo(200);
    // a valid name on a connection without its own rule; {userId} takes "1:private-x", which is no number
    assertThat(channels.authorizeForm("socket_id=1.2&channel_name=private-chat.1%3Aprivate-x", ANN).status()).isEqualTo(403);
    assertThat(channels.authorizeJson("{\"socket_id\":\"1.2\",\"channel_name\":\"private-chat.1\"}", ANN).status())
        .isEqualTo(200);
    assertThat(channels.authorizeJson("[1]", ANN)).isEqualTo(new AuthResponse(400, "{\"error\":\"request body is not a JSON object\"}"));
    assertThat(channels.authorizeJson("{\"socket_id\":1.2,\"channel_name\":\"private-chat.1\"}", ANN).body())
        .contains("socket_id is missing");
    assertThat(channels.authorizeForm("socket_id=%zz", ANN).status()).isEqualTo(400);
  }

  @Test
  void aBodyOfMegabytesIsRefusedUnread() {
    String huge = "socket_id=1.2&channel_name=private-chat.1&pad=" + "x".repeat(2 * 1024 * 1024);
    assertThat(channels.authorizeForm(huge, ANN))
        .isEqualTo(new AuthResponse(400, "{\"error\":\"request body is larger than 8192 characters\"}"));
    assertThat(channels.authorizeJson(huge, ANN).status()).isEqualTo(400);
  }

  @Test
  void classBasedHandlersServeBothKinds() {
    ChannelHandler<User> team = (user, params) -> params.get("team").equals("red")
        ? PresenceMember.of(String.valueOf(user.id())) : Boolean.FALSE;
    ChannelAuthorizer<User> byClass = ChannelAuthorizer.<User>create(signer).handler("team.{team}", team);
    assertThat(byClass.authorize("1.2", "presence-team.red", ANN).status()).isEqualTo(200);
    assertThat(byClass.authorize("1.2", "private-team.red", ANN).status()).isEqualTo(200);
    assertThat(byClass.authorize("1.2", "private-team.blue", ANN).status()).isEqualTo(403);
    assertThat(signer.calls.get(0)).isEqualTo("presence 1.2 presence-team.red {\"user_id\":\"1\"}");
  }

  @Test
  void userSignInNeedsAStringIdAndTheRegisteredUserData() {
    assertThat(channels.authenticateUser("1.2", ANN).status()).isEqualTo(403);
    channels.userData(user -> Map.of("id", String.valueOf(user.id())));
    assertThat(channels.authenticateUserForm("socket_id=1234.1234", ANN)).isEqualTo(new AuthResponse(200, "{\"auth\":\"user\"}"));
    assertThat(signer.calls).containsExactly("user 1234.1234 {\"id\":\"1\"}");
    assertThat(channels.authenticateUser("1.2", null).status()).isEqualTo(403);
    assertThat(channels.authenticateUser("x", ANN).status()).isEqualTo(400);
    channels.userData(user -> Map.of("id", user.id()));
    assertThat(channels.authenticateUser("1.2", ANN).status()).isEqualTo(403);
  }

  @Test
  void decideGivesTheDecisionWithoutSigning() {
    assertThat(channels.decide("private-chat.1", ANN)).isEqualTo(new AuthDecision(true, null));
    assertThat(channels.decide("private-chat.2", ANN)).isEqualTo(new AuthDecision(false, null));
    assertThat(channels.decide("presence-room.1", ANN))
        .isEqualTo(new AuthDecision(true, "{\"user_id\":1,\"user_info\":{\"name\":\"Ann\"}}"));
    assertThat(channels.decide("private-chat 1", ANN).allowed()).isFalse();
    assertThat(channels.decide("private-chat.1", null).allowed()).isFalse();
    assertThat(signer.calls).isEmpty();
  }

  @Test
  void thePlainSignerAnswersAsLaravelEchoServerExpects() {
    ChannelAuthorizer<User> plain = ChannelAuthorizer.<User>create(ChannelAuthSigner.PLAIN)
        .channel("chat.{id}", (u, p) -> true)
        .presence("room.{id}", (u, p) -> PresenceMember.of(u.id(), Map.of("name", u.name())));
    assertThat(plain.authorize("1.2", "private-chat.1", ANN)).isEqualTo(new AuthResponse(200, "true"));
    assertThat(plain.authorize("1.2", "presence-room.1", ANN))
        .isEqualTo(new AuthResponse(200, "{\"channel_data\":{\"user_id\":1,\"user_info\":{\"name\":\"Ann\"}}}"));
    // laravel-echo-server sends no socket id, or a socket.io one: the plain answers sign none
    assertThat(plain.authorizeForm("channel_name=private-chat.1", ANN)).isEqualTo(new AuthResponse(200, "true"));
    assertThat(plain.authorize("AbC_socket.io-id", "private-chat.1", ANN).status()).isEqualTo(200);
    assertThat(plain.authorize(null, "private-chat 1", ANN).status()).isEqualTo(400);
    // Laravel's channel names, as laravel-echo-server posts them for the redis driver
    plain.channel("orders/{id}", (u, p) -> true).channel("chat:{id}", (u, p) -> p.getLong("id") == 1);
    assertThat(plain.authorizeForm("channel_name=private-chat%3A1", ANN)).isEqualTo(new AuthResponse(200, "true"));
    assertThat(plain.authorizeForm("channel_name=private-chat%3A2", ANN).status()).isEqualTo(403);
    assertThat(plain.authorizeForm("channel_name=private-orders%2F1", ANN)).isEqualTo(new AuthResponse(200, "true"));
    assertThat(plain.authenticateUser("1.2", ANN).status()).isEqualTo(403);
    plain.userData(u -> Map.of("id", "1"));
    assertThat(plain.authenticateUser("1.2", ANN))
        .isEqualTo(new AuthResponse(400, "{\"error\":\"user sign-in is not supported by this connection\"}"));
  }
}
