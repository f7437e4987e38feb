package dev.broadcasting.server;

import static dev.broadcasting.server.TestSignatures.channelAuth;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.broadcasting.Channel;
import dev.broadcasting.spi.BroadcastDriver;
import dev.broadcasting.spi.BroadcastMessage;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Private, presence, encrypted, cache and user channels, client events and sign-in, over raw WebSockets. */
class ChannelsTest {
  private static final String KEY = "key-1";
  private static final String SECRET = "secret-1";

  private BroadcastServer server;
  private BroadcastDriver driver;
  private final List<WsClient> clients = new ArrayList<>();

  @BeforeEach
  void start() {
    server = BroadcastServer.builder().host("127.0.0.1").port(0)
        .app(App.builder("1", KEY, SECRET).maxPresenceMembers(2).maxPresenceMemberInfoBytes(64).build())
        .app(App.builder("2", "key-2", "secret-2").clientEvents(false).build())
        .build().start();
    driver = server.driver("1");
  }

  @AfterEach
  void stop() {
    clients.forEach(WsClient::close);
    server.close();
  }

  private WsClient client() throws Exception {
    return client(KEY);
  }

  private WsClient client(String key) throws Exception {
    WsClient client = WsClient.established(server.port(), key);
    clients.add(client);
    return client;
  }

  private void subscribePrivate(WsClient client, String channel) throws Exception {
    client.subscribe(channel, channelAuth(KEY, SECRET, client.socketId(), channel, null), null);
    assertThat(client.next("pusher_internal:subscription_succeeded").get("channel").asText()).isEqualTo(channel);
  }

  private JsonNode joinPresence(WsClient client, String channel, String channelData) throws Exception {
    client.subscribe(channel, channelAuth(KEY, SECRET, client.socketId(), channel, channelData), channelData);
    JsonNode ok = client.next("pusher_internal:subscription_succeeded");
    return WsClient.JSON.readTree(ok.get("data").asText()).get("presence");
  }

  @Test
  void acceptsAPrivateSubscriptionSignedWithTheSecretAndRefusesAWrongOne() throws Exception {
    WsClient good = client();
    WsClient bad = client();
    subscribePrivate(good, "private-orders.1");
    bad.subscribe("private-orders.1", channelAuth(KEY, "not-the-secret", bad.socketId(), "private-orders.1", null), null);
    JsonNode error = bad.next("pusher:subscription_error");
    assertThat(error.get("channel").asText()).isEqualTo("private-orders.1");
    assertThat(error.get("data").get("status").asInt()).isEqualTo(401);
    assertThat(error.get("data").get("type").asText()).isEqualTo("AuthError");
    // a signature for another socket is refused too
    bad.subscribe("private-orders.1", channelAuth(KEY, SECRET, good.socketId(), "private-orders.1", null), null);
    assertThat(bad.next("pusher:subscription_error").get("data").get("status").asInt()).isEqualTo(401);

    driver.publish(BroadcastMessage.of("Shipped", List.of(Channel.of("private-orders.1")), "{}")).join();
    assertThat(good.next("Shipped").get("channel").asText()).isEqualTo("private-orders.1");
    assertThat(bad.drain(200)).isEmpty();
  }

  @Test
  void countsPresenceMembersByUserNotByConnection() throws Exception {
    String alice = "{\"user_id\":\"1\",\"user_info\":{\"name\":\"Alice\"}}";
    String bob = "{\"user_id\":2,\"user_info\":{\"name\":\"Bob\"}}";
    WsClient aliceTab1 = client();
    WsClient aliceTab2 = client();
    WsClient bobTab = client();

    JsonNode first = joinPresence(aliceTab1, "presence-room", alice);
    assertThat(first.toString()).isEqualTo("{\"ids\":[\"1\"],\"hash\":{\"1\":{\"name\":\"Alice\"}},\"count\":1}");
    JsonNode second = joinPresence(bobTab, "presence-room", bob);
    assertThat(second.get("count").asInt()).isEqualTo(2);
    assertThat(second.get("hash").get("2").get("name").asText()).isEqualTo("Bob");
    JsonNode added = aliceTab1.next("pusher_internal:member_added");
    assertThat(WsClient.JSON.readTree(added.get("data").asText()).toString())
        .isEqualTo("{\"user_id\":\"2\",\"user_info\":{\"name\":\"Bob\"}}");

    JsonNode third = joinPresence(aliceTab2, "presence-room", alice);
    assertThat(third.get("count").asInt()).isEqualTo(2);
    assertThat(bobTab.drain(200)).isEmpty(); // Alice's second tab is not a new member

    aliceTab1.close();
    assertThat(bobTab.drain(300)).isEmpty(); // she still has a tab open
    aliceTab2.send("{\"event\":\"pusher:unsubscribe\",\"data\":{\"channel\":\"presence-room\"}}");
    JsonNode removed = bobTab.next("pusher_internal:member_removed");
    assertThat(WsClient.JSON.readTree(removed.get("data").asText()).toString()).isEqualTo("{\"user_id\":\"1\"}");
  }

  @Test
  void enforcesTheMemberLimitAndTheSizeOfUserInfo() throws Exception {
    joinPresence(client(), "presence-small", "{\"user_id\":\"1\"}");
    joinPresence(client(), "presence-small", "{\"user_id\":\"2\"}");
    WsClient third = client();
    String data = "{\"user_id\":\"3\"}";
    third.subscribe("presence-small", channelAuth(KEY, SECRET, third.socketId(), "presence-small", data), data);
    JsonNode full = third.next("pusher:subscription_error");
    assertThat(full.get("data").get("type").asText()).isEqualTo("LimitReached");
    assertThat(full.get("data").get("status").asInt()).isEqualTo(403);
    // another connection of a user already there is not a new member
    assertThat(joinPresence(client(), "presence-small", "{\"user_id\":\"2\"}").get("count").asInt()).isEqualTo(2);

    WsClient big = client();
    String bigInfo = "{\"user_id\":\"9\",\"user_info\":{\"bio\":\"" + "x".repeat(100) + "\"}}";
    big.subscribe("presence-big", channelAuth(KEY, SECRET, big.socketId(), "presence-big", bigInfo), bigInfo);
    assertThat(big.next("pusher:subscription_error").get("data").get("status").asInt()).isEqualTo(413);
  }

  @Test
  void presenceAuthMustCoverTheExactChannelDataSent() throws Exception {
    WsClient client = client();
    String signed = "{\"user_id\":\"1\"}";
    client.subscribe("presence-room", channelAuth(KEY, SECRET, client.socketId(), "presence-room", signed),
        "{\"user_id\": \"1\"}");
    assertThat(client.next("pusher:subscription_error").get("data").get("status").asInt()).isEqualTo(401);
  }

  @Test
  void relaysClientEventsToOthersOnlyWithTheUserIdOnPresence() throws Exception {
    WsClient sender = client();
    WsClient other = client();
    WsClient outsider = client();
    subscribePrivate(sender, "private-chat");
    subscribePrivate(other, "private-chat");
    sender.send("{\"event\":\"client-typing\",\"channel\":\"private-chat\",\"data\":{\"who\":\"me\"}}");
    assertThat(other.next("client-typing").toString())
        .isEqualTo("{\"event\":\"client-typing\",\"channel\":\"private-chat\",\"data\":{\"who\":\"me\"}}");

    joinPresence(sender, "presence-chat", "{\"user_id\":\"7\"}");
    joinPresence(other, "presence-chat", "{\"user_id\":\"8\"}");
    sender.send("{\"event\":\"client-typing\",\"channel\":\"presence-chat\",\"data\":{}}");
    assertThat(other.next("client-typing").get("user_id").asText()).isEqualTo("7");
    assertThat(sender.drain(200)).extracting(m -> m.get("event").asText()).doesNotContain("client-typing");

    outsider.send("{\"event\":\"client-typing\",\"channel\":\"private-chat\",\"data\":{}}");
    assertThat(outsider.next("pusher:error").get("data").get("message").asText()).contains("not subscribed");
    outsider.subscribe("public", null, null);
    outsider.next("pusher_internal:subscription_succeeded");
    outsider.send("{\"event\":\"client-typing\",\"channel\":\"public\",\"data\":{}}");
    assertThat(outsider.next("pusher:error").get("data").get("code").asInt()).isEqualTo(4301);
    assertThat(other.drain(200)).isEmpty();
  }

  @Test
  void limitsClientEventsToTenPerSecondPerConnection() throws Exception {
    WsClient other = client();
    subscribePrivate(other, "private-flood");
    try (RawClient sender = RawClient.connect(server.port(), "/app/" + KEY + "?protocol=7")) {
      String socketId = WsClient.JSON.readTree(sender.read().get("data").asText()).get("socket_id").asText();
      sender.sendAll("{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":\"private-flood\",\"auth\":\""
          + channelAuth(KEY, SECRET, socketId, "private-flood", null) + "\"}}");
      assertThat(sender.read().get("event").asText()).isEqualTo("pusher_internal:subscription_succeeded");
      String[] flood = new String[15];
      for (int i = 0; i < flood.length; i++) {
        flood[i] = "{\"event\":\"client-n\",\"channel\":\"private-flood\",\"data\":{\"i\":" + i + "}}";
      }
      sender.sendAll(flood); // one TCP write: all 15 arrive well within the same 100 ms
      for (int i = 0; i < 5; i++) {
        JsonNode error = sender.read();
        assertThat(error.get("event").asText()).isEqualTo("pusher:error");
        assertThat(error.get("data").get("message").asText()).contains("rate limit of 10 events per second");
      }
    }
    // the ten relayed may reach the other socket after the sender's errors: wait for them, then for any more
    List<JsonNode> relayed = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      relayed.add(other.next(m -> true, "relayed client event " + i));
    }
    relayed.addAll(other.drain(300));
    assertThat(relayed).extracting(m -> m.get("data").get("i").asInt()).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
  }

  @Test
  void refusesClientEventsWhenTheAppSwitchedThemOff() throws Exception {
    WsClient sender = client("key-2");
    String channel = "private-x";
    sender.subscribe(channel, channelAuth("key-2", "secret-2", sender.socketId(), channel, null), null);
    sender.next("pusher_internal:subscription_succeeded");
    sender.send("{\"event\":\"client-x\",\"channel\":\"private-x\",\"data\":{}}");
    assertThat(sender.next("pusher:error").get("data").get("message").asText()).contains("disabled");
  }

  @Test
  void passesEncryptedPayloadsThroughAndRefusesClientEventsThere() throws Exception {
    WsClient client = client();
    subscribePrivate(client, "private-encrypted-vault");
    String sealed = "{\"nonce\":\"bm9uY2U=\",\"ciphertext\":\"Y2lwaGVy\"}";
    driver.publish(BroadcastMessage.of("Secret", List.of(Channel.of("private-encrypted-vault")), sealed)).join();
    assertThat(client.next("Secret").get("data").asText()).isEqualTo(sealed);
    client.send("{\"event\":\"client-x\",\"channel\":\"private-encrypted-vault\",\"data\":{}}");
    assertThat(client.next("pusher:error").get("data").get("code").asInt()).isEqualTo(4301);
  }

  @Test
  void cacheChannelsAnswerWithTheLastEventOrACacheMiss() throws Exception {
    WsClient early = client();
    early.subscribe("cache-prices", null, null);
    early.next("pusher_internal:subscription_succeeded");
    assertThat(early.next(m -> true, "a message").toString())
        .isEqualTo("{\"event\":\"pusher:cache_miss\",\"channel\":\"cache-prices\"}");

    driver.publish(BroadcastMessage.of("Price", List.of(new Channel("cache-prices")), "{\"v\":1}")).join();
    driver.publish(BroadcastMessage.of("Price", List.of(new Channel("cache-prices")), "{\"v\":2}")).join();
    WsClient late = client();
    late.subscribe("cache-prices", null, null);
    late.next("pusher_internal:subscription_succeeded");
    JsonNode cached = late.next(m -> true, "a message");
    assertThat(cached.get("event").asText()).isEqualTo("Price");
    assertThat(cached.get("data").asText()).isEqualTo("{\"v\":2}");
  }

  @Test
  void signsInUsersAndDeliversTheirServerToUserChannel() throws Exception {
    WsClient user = client();
    WsClient stranger = client();
    String userData = "{\"id\":\"42\",\"name\":\"Ada\"}";
    String auth = KEY + ":" + TestSignatures.hmacHex(SECRET, user.socketId() + "::user::" + userData);
    user.send(WsClient.JSON.writeValueAsString(WsClient.JSON.createObjectNode().put("event", "pusher:signin")
        .set("data", WsClient.JSON.createObjectNode().put("auth", auth).put("user_data", userData))));
    assertThat(user.next("pusher:signin_success").get("data").get("user_data").asText()).isEqualTo(userData);

    user.subscribe("#server-to-user-42", null, null);
    user.next("pusher_internal:subscription_succeeded");
    stranger.subscribe("#server-to-user-42", null, null);
    assertThat(stranger.next("pusher:subscription_error").get("data").get("status").asInt()).isEqualTo(403);

    assertThat(server.subscriptionCount("1", "#server-to-user-42")).isEqualTo(1);

    stranger.send("{\"event\":\"pusher:signin\",\"data\":{\"auth\":\"" + auth + "\",\"user_data\":\""
        + userData.replace("\"", "\\\"") + "\"}}");
    assertThat(stranger.next("pusher:error").get("data").get("code").asInt()).isEqualTo(4009);
    assertThat(stranger.awaitClose()).isEqualTo(4009);
  }
}
