package dev.broadcasting.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.broadcasting.Channel;
import dev.broadcasting.spi.BroadcastMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** History channels over raw WebSockets: positions on events, replay on resubscribe, refusals. */
class RecoveryTest {
  private static final String KEY = "key-1";

  private final List<BroadcastServer> servers = new ArrayList<>();
  private final List<WsClient> clients = new ArrayList<>();

  @AfterEach
  void stop() {
    clients.forEach(WsClient::close);
    servers.forEach(BroadcastServer::close);
  }

  private BroadcastServer start(int maxEvents) {
    BroadcastServer server = BroadcastServer.builder().host("127.0.0.1").port(0)
        .app(App.builder("1", KEY, "secret-1").history("news*", maxEvents, Duration.ofMinutes(1)).build())
        .build().start();
    servers.add(server);
    return server;
  }

  private WsClient client(BroadcastServer server) throws Exception {
    WsClient client = WsClient.established(server.port(), KEY);
    clients.add(client);
    return client;
  }

  private static void publish(BroadcastServer server, String channel, int n) {
    server.driver("1").publish(BroadcastMessage.of("Tick", List.of(Channel.of(channel)), "{\"n\":" + n + "}")).join();
  }

  private static JsonNode subscribeRecovering(WsClient client, String channel, String epoch, Long offset)
      throws Exception {
    var recovery = WsClient.JSON.createObjectNode();
    if (epoch != null) {
      recovery.put("epoch", epoch).put("offset", offset);
    }
    var data = WsClient.JSON.createObjectNode().put("channel", channel);
    data.set("recovery", recovery);
    var root = WsClient.JSON.createObjectNode().put("event", "pusher:subscribe");
    root.set("data", data);
    client.send(WsClient.JSON.writeValueAsString(root));
    client.next("pusher_internal:subscription_succeeded");
    return WsClient.JSON.readTree(client.next("broadcasting:recovery").get("data").asText());
  }

  private static JsonNode nextTick(WsClient client) throws Exception {
    return client.next("Tick");
  }

  @Test
  void appsWithoutHistorySeeTheSameBytes() throws Exception {
    BroadcastServer server = BroadcastServer.builder().host("127.0.0.1").port(0)
        .app(App.builder("1", KEY, "secret-1").build()).build().start();
    servers.add(server);
    try (RawClient raw = RawClient.connect(server.port(), "/app/" + KEY + "?protocol=7")) {
      raw.read();
      raw.sendAll("{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":\"news\"}}");
      assertThat(raw.readText()).isEqualTo(
          "{\"event\":\"pusher_internal:subscription_succeeded\",\"channel\":\"news\",\"data\":\"{}\"}");
      publish(server, "news", 1);
      assertThat(raw.readText()).isEqualTo("{\"event\":\"Tick\",\"channel\":\"news\",\"data\":\"{\\\"n\\\":1}\"}");
    }
  }

  @Test
  void historyChannelEventsCarryEpochAndOffsetAfterTheStandardFields() throws Exception {
    BroadcastServer server = start(10);
    try (RawClient raw = RawClient.connect(server.port(), "/app/" + KEY + "?protocol=7")) {
      raw.read();
      raw.sendAll("{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":\"news\"}}",
          "{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":\"other\"}}");
      raw.read();
      raw.read();
      publish(server, "news", 1);
      String positioned = raw.readText();
      assertThat(positioned).matches("\\{\"event\":\"Tick\",\"channel\":\"news\",\"data\":\"\\{\\\\\"n\\\\\":1}\","
          + "\"epoch\":\"[0-9a-z]+\",\"offset\":1}");
      publish(server, "other", 2);
      assertThat(raw.readText()).isEqualTo("{\"event\":\"Tick\",\"channel\":\"other\",\"data\":\"{\\\"n\\\":2}\"}");
    }
  }

  @Test
  void resubscribingWithAPositionReplaysTheMissedEventsInOrderBeforeLiveOnes() throws Exception {
    BroadcastServer server = start(10);
    WsClient first = client(server);
    JsonNode fresh = subscribeRecovering(first, "news", null, null);
    assertThat(fresh.get("recovered").asBoolean()).isTrue();
    assertThat(fresh.get("offset").asLong()).isZero();
    String epoch = fresh.get("epoch").asText();
    publish(server, "news", 1);
    publish(server, "news", 2);
    assertThat(nextTick(first).get("offset").asLong()).isEqualTo(1);
    assertThat(nextTick(first).get("offset").asLong()).isEqualTo(2);
    first.close();
    publish(server, "news", 3);
    publish(server, "news", 4);

    WsClient again = client(server);
    JsonNode answer = subscribeRecovering(again, "news", epoch, 2L);
    assertThat(answer.get("recovered").asBoolean()).isTrue();
    assertThat(answer.get("replayed").asInt()).isEqualTo(2);
    assertThat(answer.get("offset").asLong()).isEqualTo(4);
    publish(server, "news", 5);
    for (int n = 3; n <= 5; n++) {
      JsonNode tick = nextTick(again);
      assertThat(tick.get("data").asText()).isEqualTo("{\"n\":" + n + "}");
      assertThat(tick.get("offset").asLong()).isEqualTo(n);
      assertThat(tick.get("epoch").asText()).isEqualTo(epoch);
    }
  }

  @Test
  void aTrimmedGapIsRefusedWholeAndLiveEventsFollow() throws Exception {
    BroadcastServer server = start(2);
    WsClient first = client(server);
    String epoch = subscribeRecovering(first, "news", null, null).get("epoch").asText();
    first.close();
    for (int n = 1; n <= 3; n++) {
      publish(server, "news", n);
    }
    WsClient again = client(server);
    JsonNode answer = subscribeRecovering(again, "news", epoch, 0L);
    assertThat(answer.get("recovered").asBoolean()).isFalse();
    assertThat(answer.get("reason").asText()).isEqualTo("trimmed");
    assertThat(answer.get("replayed").asInt()).isZero();
    assertThat(answer.get("offset").asLong()).isEqualTo(3);
    publish(server, "news", 4);
    assertThat(nextTick(again).get("offset").asLong()).isEqualTo(4);
  }

  @Test
  void aRestartedServerAnswersEpochChanged() throws Exception {
    BroadcastServer server = start(10);
    WsClient first = client(server);
    String epoch = subscribeRecovering(first, "news", null, null).get("epoch").asText();
    publish(server, "news", 1);
    server.close();
    BroadcastServer restarted = start(10);
    publish(restarted, "news", 1);
    WsClient again = client(restarted);
    JsonNode answer = subscribeRecovering(again, "news", epoch, 1L);
    assertThat(answer.get("recovered").asBoolean()).isFalse();
    assertThat(answer.get("reason").asText()).isEqualTo("epoch_changed");
    assertThat(answer.get("epoch").asText()).isNotEqualTo(epoch);
    assertThat(answer.get("replayed").asInt()).isZero();
    publish(restarted, "news", 2);
    assertThat(nextTick(again).get("offset").asLong()).isEqualTo(2);
  }

  @Test
  void channelsWithoutHistoryAnswerNoHistory() throws Exception {
    WsClient client = client(start(10));
    JsonNode answer = subscribeRecovering(client, "other", "abc", 3L);
    assertThat(answer.get("recovered").asBoolean()).isFalse();
    assertThat(answer.get("reason").asText()).isEqualTo("no_history");
  }

  /** Replay and live delivery race: resubscribing while events flow must neither skip nor repeat one. */
  @Test
  void resubscribingWhileEventsFlowDeliversEachEventOnce() throws Exception {
    BroadcastServer server = start(100_000);
    AtomicBoolean running = new AtomicBoolean(true);
    int[] published = {0};
    Thread publisher = new Thread(() -> {
      while (running.get()) {
        publish(server, "news", ++published[0]);
        java.util.concurrent.locks.LockSupport.parkNanos(200_000);
      }
    });
    WsClient client = client(server);
    JsonNode position = subscribeRecovering(client, "news", null, null);
    String epoch = position.get("epoch").asText();
    long last = position.get("offset").asLong();
    publisher.start();
    try {
      for (int round = 0; round < 20; round++) {
        for (int i = 0; i < 20; i++) {
          JsonNode tick = nextTick(client);
          assertThat(tick.get("offset").asLong()).isEqualTo(last + 1);
          last++;
        }
        client.close();
        client = client(server);
        JsonNode answer = subscribeRecovering(client, "news", epoch, last);
        assertThat(answer.get("recovered").asBoolean()).as(answer.toString()).isTrue();
      }
    } finally {
      running.set(false);
      publisher.join();
    }
  }

  private static java.net.http.HttpResponse<String> history(BroadcastServer server, String channel,
      java.util.Map<String, String> query) throws Exception {
    java.net.URI uri = HttpApiTest.signed(server.port(), KEY, "GET", "/apps/1/channels/" + channel + "/history", query,
        "", "secret-1", System.currentTimeMillis() / 1000);
    return WsClient.HTTP.send(java.net.http.HttpRequest.newBuilder(uri).GET().build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void theHttpApiReturnsTheKeptEventsAfterAnOffset() throws Exception {
    BroadcastServer server = start(10);
    for (int n = 1; n <= 5; n++) {
      publish(server, "news", n);
    }
    var answer = history(server, "news", java.util.Map.of("from", "2", "limit", "2"));
    assertThat(answer.statusCode()).isEqualTo(200);
    JsonNode body = WsClient.JSON.readTree(answer.body());
    assertThat(body.get("recovered").asBoolean()).isTrue();
    assertThat(body.get("offset").asLong()).isEqualTo(5);
    assertThat(body.get("events")).hasSize(2);
    assertThat(body.get("events").get(0).get("offset").asLong()).isEqualTo(3);
    assertThat(body.get("events").get(0).get("data").asText()).isEqualTo("{\"n\":3}");
    assertThat(body.get("events").get(1).get("offset").asLong()).isEqualTo(4);

    JsonNode lost = WsClient.JSON.readTree(history(server, "news", java.util.Map.of("from", "2", "epoch", "gone")).body());
    assertThat(lost.get("recovered").asBoolean()).isFalse();
    assertThat(lost.get("reason").asText()).isEqualTo("epoch_changed");
    assertThat(lost.get("events")).isEmpty();

    var none = history(server, "other", java.util.Map.of("from", "0"));
    assertThat(none.statusCode()).isEqualTo(404);
    assertThat(none.body()).contains("No history is kept for channel other");
    var bad = history(server, "news", java.util.Map.of("from", "-1"));
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.body()).contains("from must be at least 0");
  }

  @Test
  void historyRulesAreCheckedWhenAdded() {
    assertThatThrownBy(() -> App.builder("1", KEY, "s").history("news feed", 10, Duration.ofMinutes(1)))
        .hasMessageContaining("\"news feed\" is invalid");
    assertThatThrownBy(() -> App.builder("1", KEY, "s").history("news*", 0, Duration.ofMinutes(1)))
        .hasMessageContaining("between 1 and 100000 events but was 0");
    assertThatThrownBy(() -> App.builder("1", KEY, "s").history("news*", 10, Duration.ZERO))
        .hasMessageContaining("must be positive but was PT0S");
    assertThatThrownBy(() -> App.builder("1", KEY, "s").history("news*", 10, Duration.ofMinutes(1))
        .history("news*", 20, Duration.ofMinutes(1))).hasMessageContaining("added twice");
    assertThatThrownBy(() -> App.builder("1", KEY, "s").maxHistoryChannels(0))
        .hasMessageContaining("maxHistoryChannels must be at least 1 but was 0");
  }

  private BroadcastServer start(String pattern) {
    BroadcastServer server = BroadcastServer.builder().host("127.0.0.1").port(0)
        .app(App.builder("1", KEY, "secret-1").history(pattern, 10, Duration.ofMinutes(1)).build())
        .build().start();
    servers.add(server);
    return server;
  }

  private static String recoveryAnswer(String channel, String data) {
    return "{\"event\":\"broadcasting:recovery\",\"channel\":\"" + channel + "\",\"data\":\"" + data.replace("\"", "\\\"")
        + "\"}";
  }

  private static String subscribe(String channel, String recovery) {
    return "{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":\"" + channel + "\",\"recovery\":" + recovery + "}}";
  }

  @Test
  void aPositionThatIsNotWholeIsAnsweredInvalidPositionWhileAnEmptyOneIsAFirstSubscription() throws Exception {
    BroadcastServer server = start(10);
    for (int n = 1; n <= 3; n++) {
      publish(server, "news", n);
    }
    String succeeded = "{\"event\":\"pusher_internal:subscription_succeeded\",\"channel\":\"news\",\"data\":\"{}\"}";
    String epoch;
    try (RawClient raw = RawClient.connect(server.port(), "/app/" + KEY + "?protocol=7")) {
      raw.read();
      raw.sendAll(subscribe("news", "{}"));
      assertThat(raw.readText()).isEqualTo(succeeded);
      String first = raw.readText();
      epoch = WsClient.JSON.readTree(WsClient.JSON.readTree(first).get("data").asText()).get("epoch").asText();
      assertThat(first).isEqualTo(recoveryAnswer("news",
          "{\"recovered\":true,\"epoch\":\"" + epoch + "\",\"offset\":3,\"replayed\":0}"));
    }
    for (String malformed : List.of("{\"epoch\":\"whatever\",\"offset\":\"1\"}", "{\"offset\":1}",
        "{\"epoch\":\"" + epoch + "\"}", "{\"epoch\":7,\"offset\":1}", "{\"epoch\":\"" + epoch + "\",\"offset\":1.5}",
        "{\"epoch\":\"" + epoch + "\",\"offset\":-1}", "{\"epoch\":null,\"offset\":null}")) {
      try (RawClient raw = RawClient.connect(server.port(), "/app/" + KEY + "?protocol=7")) {
        raw.read();
        raw.sendAll(subscribe("news", malformed));
        assertThat(raw.readText()).isEqualTo(succeeded);
        assertThat(raw.readText()).as(malformed).isEqualTo(recoveryAnswer("news",
            "{\"recovered\":false,\"reason\":\"invalid_position\",\"epoch\":\"" + epoch + "\",\"offset\":3,\"replayed\":0}"));
      }
    }
  }

  @Test
  void aBlankEpochOnTheHttpApiIsNoEpoch() throws Exception {
    BroadcastServer server = start(10);
    for (int n = 1; n <= 3; n++) {
      publish(server, "news", n);
    }
    JsonNode blank = WsClient.JSON.readTree(history(server, "news", java.util.Map.of("from", "1", "epoch", "")).body());
    JsonNode none = WsClient.JSON.readTree(history(server, "news", java.util.Map.of("from", "1")).body());
    assertThat(blank).isEqualTo(none);
    assertThat(blank.get("recovered").asBoolean()).isTrue();
    assertThat(blank.get("events")).hasSize(2);
  }

  @Test
  void clientEventsAreDeliveredLiveButNeverKeptNorReplayedToTheirSender() throws Exception {
    BroadcastServer server = start("private-news*");
    WsClient sender = client(server);
    WsClient receiver = client(server);
    for (WsClient client : List.of(sender, receiver)) {
      client.subscribe("private-news", TestSignatures.channelAuth(KEY, "secret-1", client.socketId(), "private-news",
          null), null);
      client.next("pusher_internal:subscription_succeeded");
    }
    publish(server, "private-news", 1);
    JsonNode first = nextTick(sender);
    String epoch = first.get("epoch").asText();
    sender.send("{\"event\":\"client-typing\",\"channel\":\"private-news\",\"data\":{\"who\":\"me\"}}");
    assertThat(nextTick(receiver).get("offset").asLong()).isEqualTo(1);
    assertThat(receiver.next("client-typing").toString())
        .isEqualTo("{\"event\":\"client-typing\",\"channel\":\"private-news\",\"data\":{\"who\":\"me\"}}");
    publish(server, "private-news", 2);
    assertThat(nextTick(receiver).get("offset").asLong()).as("the whisper took no offset").isEqualTo(2);
    assertThat(nextTick(sender).get("offset").asLong()).isEqualTo(2);
    sender.close();

    WsClient again = client(server);
    var data = WsClient.JSON.createObjectNode().put("channel", "private-news")
        .put("auth", TestSignatures.channelAuth(KEY, "secret-1", again.socketId(), "private-news", null));
    data.putObject("recovery").put("epoch", epoch).put("offset", 0);
    again.send("{\"event\":\"pusher:subscribe\",\"data\":" + data + "}");
    publish(server, "private-news", 3);
    List<String> seen = new ArrayList<>();
    JsonNode message;
    do {
      message = again.next(m -> true, "any message");
      seen.add(message.get("event").asText() + (message.has("offset") ? "@" + message.get("offset") : ""));
    } while (!message.path("data").asText().equals("{\"n\":3}"));
    assertThat(seen).containsExactly("pusher_internal:subscription_succeeded", "broadcasting:recovery", "Tick@1",
        "Tick@2", "Tick@3");
  }

  @Test
  void aCacheChannelResubscribedFromAPositionGetsTheReplayInsteadOfTheCachedEvent() throws Exception {
    BroadcastServer server = start("cache-news*");
    for (int n = 1; n <= 3; n++) {
      publish(server, "cache-news", n);
    }
    String epoch = WsClient.JSON.readTree(history(server, "cache-news", java.util.Map.of("from", "0")).body())
        .get("epoch").asText();
    try (RawClient raw = RawClient.connect(server.port(), "/app/" + KEY + "?protocol=7")) {
      raw.read();
      raw.sendAll(subscribe("cache-news", "{\"epoch\":\"" + epoch + "\",\"offset\":2}"));
      assertThat(raw.readText())
          .isEqualTo("{\"event\":\"pusher_internal:subscription_succeeded\",\"channel\":\"cache-news\",\"data\":\"{}\"}");
      assertThat(raw.readText()).isEqualTo(recoveryAnswer("cache-news",
          "{\"recovered\":true,\"epoch\":\"" + epoch + "\",\"offset\":3,\"replayed\":1}"));
      String three = "{\"event\":\"Tick\",\"channel\":\"cache-news\",\"data\":\"{\\\"n\\\":3}\",\"epoch\":\"" + epoch
          + "\",\"offset\":";
      assertThat(raw.readText()).isEqualTo(three + "3}");
      publish(server, "cache-news", 4);
      assertThat(raw.readText()).as("{\"n\":3} once").isEqualTo(three.replace("3}", "4}") + "4}");
    }
    try (RawClient raw = RawClient.connect(server.port(), "/app/" + KEY + "?protocol=7")) {
      raw.read();
      raw.sendAll(subscribe("cache-news", "{}"));
      raw.read();
      assertThat(raw.readText()).as("without a position, the cached event still comes")
          .startsWith("{\"event\":\"Tick\",\"channel\":\"cache-news\",\"data\":\"{\\\"n\\\":4}\"");
    }
  }
}
