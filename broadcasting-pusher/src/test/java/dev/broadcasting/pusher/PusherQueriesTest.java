package dev.broadcasting.pusher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.broadcasting.BroadcastException;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The HTTP API's queries and user operations: signed GETs and POSTs, typed answers. */
class PusherQueriesTest extends AgainstPusherPeer {
  @Test
  void listsChannelsByPrefixWithUserCounts() throws Exception {
    peer.answer(200, "{\"channels\":{\"presence-room.1\":{\"user_count\":3},\"presence-room.2\":{\"user_count\":1}}}");

    List<PusherChannel> channels = driver.channels("presence-room.", true).get(10, TimeUnit.SECONDS);

    PusherPeer.Received got = peer.takeSigned();
    assertThat(got.method()).isEqualTo("GET");
    assertThat(got.path()).isEqualTo("/apps/3/channels");
    assertThat(got.body()).isEmpty();
    assertThat(got.query()).containsEntry("filter_by_prefix", "presence-room.").containsEntry("info", "user_count")
        .doesNotContainKey("body_md5");
    assertThat(channels).containsExactly(
        new PusherChannel("presence-room.1", true, OptionalInt.of(3), OptionalInt.empty()),
        new PusherChannel("presence-room.2", true, OptionalInt.of(1), OptionalInt.empty()));
  }

  @Test
  void listsAllChannelsWithoutParameters() throws Exception {
    peer.answer(200, "{\"channels\":{\"orders\":{}}}");

    List<PusherChannel> channels = driver.channels(null, false).get(10, TimeUnit.SECONDS);

    assertThat(peer.takeSigned().query().keySet())
        .containsExactly("auth_key", "auth_signature", "auth_timestamp", "auth_version");
    assertThat(channels).containsExactly(new PusherChannel("orders", true, OptionalInt.empty(), OptionalInt.empty()));
  }

  @Test
  void refusesUserCountsOutsidePresenceChannels() {
    BroadcastException error = PusherBroadcastDriverTest.failure(driver.channels("private-", true));
    assertThat(error.getMessage()).contains("presence-").contains("\"private-\"");
    BroadcastException one = PusherBroadcastDriverTest.failure(
        driver.channel("orders", PusherChannel.Info.USER_COUNT));
    assertThat(one.getMessage()).contains("orders");
    assertThat(PusherBroadcastDriverTest.failure(driver.presenceUsers("private-x")).getMessage())
        .contains("presence-");
    assertThat(PusherBroadcastDriverTest.failure(driver.channel("bad name!")).getMessage()).contains("bad name!");
    assertThat(peer.requestCount()).isZero();
  }

  @Test
  void readsOneChannelWithTheCountsAskedFor() throws Exception {
    peer.answer(200, "{\"occupied\":true,\"user_count\":2,\"subscription_count\":5}");

    PusherChannel channel = driver.channel("presence-room.1", PusherChannel.Info.USER_COUNT,
        PusherChannel.Info.SUBSCRIPTION_COUNT).get(10, TimeUnit.SECONDS);

    PusherPeer.Received got = peer.takeSigned();
    assertThat(got.path()).isEqualTo("/apps/3/channels/presence-room.1");
    assertThat(got.query()).containsEntry("info", "user_count,subscription_count");
    assertThat(channel).isEqualTo(new PusherChannel("presence-room.1", true, OptionalInt.of(2), OptionalInt.of(5)));
  }

  @Test
  void readsAnEmptyChannel() throws Exception {
    peer.answer(200, "{\"occupied\":false}");

    PusherChannel channel = driver.channel("orders").get(10, TimeUnit.SECONDS);

    assertThat(peer.takeSigned().query()).doesNotContainKey("info");
    assertThat(channel).isEqualTo(new PusherChannel("orders", false, OptionalInt.empty(), OptionalInt.empty()));
  }

  @Test
  void listsThePresenceUsers() throws Exception {
    peer.answer(200, "{\"users\":[{\"id\":\"1\"},{\"id\":\"42\"}]}");

    List<String> users = driver.presenceUsers("presence-room.1").get(10, TimeUnit.SECONDS);

    PusherPeer.Received got = peer.takeSigned();
    assertThat(got.method()).isEqualTo("GET");
    assertThat(got.path()).isEqualTo("/apps/3/channels/presence-room.1/users");
    assertThat(users).containsExactly("1", "42");
  }

  @Test
  void terminatesTheConnectionsOfAUser() throws Exception {
    driver.terminateUserConnections("user-42").get(10, TimeUnit.SECONDS);

    PusherPeer.Received got = peer.takeSigned();
    assertThat(got.method()).isEqualTo("POST");
    assertThat(got.path()).isEqualTo("/apps/3/users/user-42/terminate_connections");
    assertThat(got.bodyText()).isEqualTo("{}");
  }

  @Test
  void sendsToOneUserThroughTheServerToUserChannel() throws Exception {
    driver.sendToUser("42", "Notice", "{\"text\":\"hi\"}").get(10, TimeUnit.SECONDS);

    PusherPeer.Received got = peer.takeSigned();
    assertThat(got.path()).isEqualTo("/apps/3/events");
    assertThat(got.json()).isEqualTo(PusherPeer.JSON.readTree(
        "{\"name\":\"Notice\",\"channels\":[\"#server-to-user-42\"],\"data\":\"{\\\"text\\\":\\\"hi\\\"}\"}"));
  }

  @Test
  void refusesAUserIdThatCannotBeAChannelName() {
    assertThat(PusherBroadcastDriverTest.failure(driver.sendToUser("a/b", "E", "{}")).getMessage())
        .contains("\"a/b\"");
    assertThat(PusherBroadcastDriverTest.failure(driver.terminateUserConnections(" ")).getMessage())
        .contains("\" \"");
    assertThat(peer.requestCount()).isZero();
  }

  @Test
  void reportsAQueryErrorWithItsStatus() {
    peer.answer(400, "info=user_count is only valid for presence channels");
    BroadcastException error = PusherBroadcastDriverTest.failure(driver.channels("presence-", true));
    assertThat(error.httpStatus()).isEqualTo(400);
    assertThat(error.isRetryable()).isFalse();
    assertThat(error.getMessage()).contains("only valid for presence");
  }

  @Test
  void reportsAnAnswerThatIsNotJson() {
    peer.answer(200, "<html>proxy</html>");
    BroadcastException error = PusherBroadcastDriverTest.failure(driver.channels(null, false));
    assertThat(error.getMessage()).contains("invalid JSON").contains("<html>proxy</html>");
  }
}
