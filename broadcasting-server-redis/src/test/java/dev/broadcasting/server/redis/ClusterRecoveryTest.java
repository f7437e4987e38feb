package dev.broadcasting.server.redis;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.pusher.rest.data.Result;
import dev.broadcasting.Channel;
import dev.broadcasting.redis.GatedProxy;
import dev.broadcasting.spi.BroadcastMessage;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Recovery in a cluster: three nodes on one real redis-server keep history channels in Redis
 * Streams; clients resubscribe on another node than the one they left, with raw WebSockets (to see
 * the exact frames) and with laravel-echo and the recovery plugin (src/main/js of
 * broadcasting-server) behind a relay that drops the connection and sends it elsewhere.
 */
@Tag("integration")
class ClusterRecoveryTest {
  private TestCluster cluster;

  @BeforeEach
  void start() throws Exception {
    cluster = new TestCluster(3, Duration.ofSeconds(20));
  }

  @AfterEach
  void stop() {
    cluster.close();
  }

  private void publish(int node, String channel, int n) {
    cluster.nodes.get(node).driver(TestCluster.APP_ID)
        .publish(BroadcastMessage.of("Tick", List.of(Channel.of(channel)), "{\"n\":" + n + "}")).join();
  }

  /** Publishes n = {@code from}..{@code to} to {@code channel}, on nodes 0, 1, 2 in turn. */
  private void publish(String channel, int from, int to) {
    for (int n = from; n <= to; n++) {
      publish(n % 3, channel, n);
    }
  }

  /**
   * Drops the client behind {@code proxy}, publishes n = {@code from}..{@code to} while its
   * reconnects are refused, then lets it in to the node on {@code port}.
   */
  private void moveWhilePublishing(GatedProxy proxy, int port, String channel, int from, int to) {
    proxy.shut();
    proxy.target(port);
    publish(channel, from, to);
    proxy.open();
  }

  private static ObjectNode position(String epoch, long offset) {
    return TestCluster.JSON.createObjectNode().put("epoch", epoch).put("offset", offset);
  }

  private static JsonNode recoveryAnswer(RawSocket socket) throws Exception {
    JsonNode frame = socket.next();
    assertThat(frame.path("event").asText()).as(frame.toString()).isEqualTo("broadcasting:recovery");
    return TestCluster.JSON.readTree(frame.get("data").asText());
  }

  private static int n(JsonNode event) throws Exception {
    JsonNode data = TestCluster.JSON.readTree(event.path("data").asText());
    assertThat(data.has("n")).as("an event with n, but got %s", event).isTrue();
    return data.get("n").asInt();
  }

  @Test
  void everyNodeDeliversAnEventWithTheSamePositionInTheSameOrder() throws Exception {
    List<RawSocket> sockets = new ArrayList<>();
    for (int node = 0; node < 3; node++) {
      RawSocket socket = RawSocket.connect(cluster.port(node));
      socket.subscribe("history-same", null);
      sockets.add(socket);
    }
    for (int n = 1; n <= 30; n++) {
      publish(n % 3, "history-same", n);
    }
    List<List<String>> received = new ArrayList<>();
    for (RawSocket socket : sockets) {
      List<String> frames = new ArrayList<>();
      for (int i = 0; i < 30; i++) {
        frames.add(socket.nextText());
      }
      received.add(frames);
      socket.close();
    }
    assertThat(received.get(1)).containsExactlyElementsOf(received.get(0));
    assertThat(received.get(2)).containsExactlyElementsOf(received.get(0));
    String epoch = TestCluster.JSON.readTree(received.get(0).get(0)).get("epoch").asText();
    for (int i = 0; i < 30; i++) {
      assertThat(received.get(0).get(i)).isEqualTo("{\"event\":\"Tick\",\"channel\":\"history-same\",\"data\":\"{\\\"n\\\":"
          + (i + 1) + "}\",\"epoch\":\"" + epoch + "\",\"offset\":" + (i + 1) + "}");
    }
  }

  @Test
  void resubscribingOnAnotherNodeWhileEventsFlowReplaysEachMissedEventOnceInOrder() throws Exception {
    int last = 600;
    RawSocket socket = RawSocket.connect(cluster.port(0));
    socket.subscribe("history-flow", TestCluster.JSON.createObjectNode());
    JsonNode first = recoveryAnswer(socket);
    assertThat(first.get("recovered").asBoolean()).isTrue();
    String epoch = first.get("epoch").asText();
    long offset = first.get("offset").asLong();
    SteadyPublisher publisher = new SteadyPublisher(n -> publish(n % 3, "history-flow", n), last, 1);
    List<Integer> received = new ArrayList<>();
    int replayed = 0;
    for (int hop = 1; hop <= 6; hop++) {
      for (int i = 0; i < 40; i++) {
        JsonNode event = socket.next();
        assertThat(event.get("offset").asLong()).isEqualTo(offset + 1);
        offset++;
        received.add(n(event));
      }
      socket.close();
      publisher.await(received.get(received.size() - 1) + 30);
      socket = RawSocket.connect(cluster.port(hop % 3));
      socket.subscribe("history-flow", position(epoch, offset));
      JsonNode answer = recoveryAnswer(socket);
      assertThat(answer.get("recovered").asBoolean()).as(answer.toString()).isTrue();
      assertThat(answer.get("epoch").asText()).isEqualTo(epoch);
      replayed += answer.get("replayed").asInt();
    }
    while (received.isEmpty() || received.get(received.size() - 1) < last) {
      JsonNode event = socket.next();
      assertThat(event.get("offset").asLong()).isEqualTo(offset + 1);
      offset++;
      received.add(n(event));
    }
    socket.close();
    publisher.finish();
    assertThat(replayed).isGreaterThanOrEqualTo(6 * 30);
    assertThat(received).containsExactlyElementsOf(IntStream.rangeClosed(1, last).boxed().toList());
  }

  @Test
  void historyLostWithRedisIsAnsweredAsAnotherEpochWithoutReplay() throws Exception {
    RawSocket socket = RawSocket.connect(cluster.port(0));
    socket.subscribe("history-lost", null);
    for (int n = 1; n <= 3; n++) {
      publish(1, "history-lost", n);
    }
    String epoch = null;
    for (int n = 1; n <= 3; n++) {
      JsonNode event = socket.next();
      assertThat(n(event)).isEqualTo(n);
      epoch = event.get("epoch").asText();
    }
    socket.close();
    publish(1, "history-lost", 4);
    try (RedisClient client = RedisClient.create(cluster.redis.uri());
        StatefulRedisConnection<String, String> redis = client.connect()) {
      redis.sync().flushall();
    }
    publish(2, "history-lost", 5);
    RawSocket again = RawSocket.connect(cluster.port(2));
    again.subscribe("history-lost", position(epoch, 3));
    JsonNode answer = recoveryAnswer(again);
    assertThat(answer.get("recovered").asBoolean()).isFalse();
    assertThat(answer.get("reason").asText()).isEqualTo("epoch_changed");
    assertThat(answer.get("epoch").asText()).isNotEqualTo(epoch);
    assertThat(answer.get("offset").asLong()).isEqualTo(1);
    assertThat(answer.get("replayed").asInt()).isZero();
    publish(0, "history-lost", 6);
    JsonNode live = again.next();
    assertThat(n(live)).isEqualTo(6);
    assertThat(live.get("epoch").asText()).isEqualTo(answer.get("epoch").asText());
    assertThat(live.get("offset").asLong()).isEqualTo(2);
    again.close();
  }

  @Test
  void eventsANodeMissedWhileCutFromRedisAreReadBackBeforeTheNextOne() throws Exception {
    try (GatedProxy link = new GatedProxy(cluster.redis.port())) {
      int deaf = cluster.nodes.indexOf(cluster.addNode("redis://127.0.0.1:" + link.port()));
      RawSocket socket = RawSocket.connect(cluster.port(deaf));
      socket.subscribe("history-deaf", null);
      List<Integer> received = new ArrayList<>();
      for (int n = 1; n <= 3; n++) {
        publish(1, "history-deaf", n);
        received.add(n(socket.next()));
      }
      link.shut();
      for (int n = 4; n <= 10; n++) {
        publish(1, "history-deaf", n);
      }
      link.open();
      // the node reconnects by itself; until it hears the channel again, what is published is missed too
      int last = 10;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      String frame = null;
      while (frame == null) {
        assertThat(System.nanoTime() - deadline).as("the cut node hears Redis again within 20 s").isNegative();
        publish(1, "history-deaf", ++last);
        frame = socket.poll(100);
      }
      received.add(n(TestCluster.JSON.readTree(frame)));
      while (received.get(received.size() - 1) < last) {
        received.add(n(socket.next()));
      }
      assertThat(received).containsExactlyElementsOf(IntStream.rangeClosed(1, last).boxed().toList());
      socket.close();
    }
  }

  @Test
  void echoOnANodeCutFromRedisIsToldAtOnceOfAGapTrimmedMeanwhile() throws Exception {
    try (GatedProxy link = new GatedProxy(cluster.redis.port())) {
      int deaf = cluster.nodes.indexOf(cluster.addNode("redis://127.0.0.1:" + link.port()));
      try (GatedProxy proxy = new GatedProxy(cluster.port(deaf));
          RecoveringEcho echo = new RecoveringEcho(proxy, "short-history-deaf")) {
        echo.await("ready");
        for (int n = 1; n <= 3; n++) {
          publish(1, "short-history-deaf", n);
        }
        echo.eventsUpTo(3);
        link.shut();
        // 4..10 published while the node hears nothing; Redis keeps 5 events, so 4 and 5 are gone
        for (int n = 4; n <= 10; n++) {
          publish(1, "short-history-deaf", n);
        }
        link.open();
        // the node reconnects by itself; until it hears the channel again, what is published is missed too
        int last = 10;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        JsonNode line = null;
        while (line == null) {
          assertThat(System.nanoTime() - deadline).as("the cut node hears Redis again within 20 s").isNegative();
          publish(1, "short-history-deaf", ++last);
          line = echo.next(100);
        }
        // the connection never dropped: no resubscription, the node tells the client by itself
        assertThat(line.path("type").asText()).as(line.toString()).isEqualTo("not_recovered");
        assertThat(line.get("reason").asText()).isEqualTo("trimmed");
        assertThat(line.get("offset").asLong()).as("the position before the first missed event").isEqualTo(3);
        assertThat(echo.next(20_000).path("type").asText()).isEqualTo("channel_not_recovered");
        JsonNode after = echo.next(20_000);
        assertThat(after.path("type").asText()).as(after.toString()).isEqualTo("event");
        int first = after.get("n").asInt();
        publish(1, "short-history-deaf", last + 1);
        publish(1, "short-history-deaf", last + 2);
        List<Integer> expected = new ArrayList<>(List.of(1, 2, 3));
        IntStream.rangeClosed(first, last + 2).forEach(expected::add);
        assertThat(first).isBetween(11, last);
        assertThat(echo.eventsUpTo(last + 2)).containsExactlyElementsOf(expected);
        assertThat(echo.lines.stream().filter(told -> told.path("type").asText().contains("not_recovered")))
            .as("told once").hasSize(2);
      }
    }
  }

  @Test
  void theHistoryEndpointAnswersFromRedisOnAnyNode() throws Exception {
    for (int n = 1; n <= 5; n++) {
      publish(0, "history-api", n);
    }
    List<JsonNode> answers = new ArrayList<>();
    for (int node = 0; node < 3; node++) {
      Result result = cluster.sdk(node).get("/channels/history-api/history", Map.of("from", "2", "limit", "2"));
      assertThat(result.getHttpStatus()).as(result.getMessage()).isEqualTo(200);
      answers.add(TestCluster.JSON.readTree(result.getMessage()));
    }
    JsonNode answer = answers.get(0);
    assertThat(answers).allSatisfy(other -> assertThat(other).isEqualTo(answer));
    String epoch = answer.get("epoch").asText();
    assertThat(answer.get("recovered").asBoolean()).isTrue();
    assertThat(answer.get("offset").asLong()).isEqualTo(5);
    assertThat(answer.get("events")).hasSize(2);
    for (int i = 0; i < 2; i++) {
      JsonNode event = answer.get("events").get(i);
      assertThat(n(event)).isEqualTo(3 + i);
      assertThat(event.get("offset").asLong()).isEqualTo(3 + i);
      assertThat(event.get("epoch").asText()).isEqualTo(epoch);
    }
    Result stale = cluster.sdk(2).get("/channels/history-api/history", Map.of("from", "2", "epoch", "gone"));
    JsonNode refused = TestCluster.JSON.readTree(stale.getMessage());
    assertThat(refused.get("recovered").asBoolean()).isFalse();
    assertThat(refused.get("reason").asText()).isEqualTo("epoch_changed");
    assertThat(refused.get("events")).isEmpty();
  }

  @Test
  void echoReconnectingToAnotherNodeGetsEveryEventOnceInOrder() throws Exception {
    try (GatedProxy proxy = new GatedProxy(cluster.port(0));
        RecoveringEcho echo = new RecoveringEcho(proxy, "history-echo")) {
      echo.await("ready");
      SteadyPublisher publisher = new SteadyPublisher(n -> publish(n % 3, "history-echo", n), Integer.MAX_VALUE, 5);
      publisher.await(30);
      int replayed = 0;
      for (int move = 1; move <= 3; move++) {
        // the connection drops, reconnecting is refused while 300 events (1.5 s or more) are
        // published, then the relay lets pusher-js in to another node; the gap comes from Redis
        proxy.shut();
        proxy.target(cluster.port(move % 3));
        publisher.awaitMore(300);
        proxy.open();
        echo.await("subscribed");
        int recovered = echo.await("recovered").get("replayed").asInt();
        assertThat(recovered).as("replayed after move %d", move).isGreaterThanOrEqualTo(300);
        replayed += recovered;
        publisher.awaitMore(100);
      }
      int last = publisher.stop();
      assertThat(echo.eventsUpTo(last)).containsExactlyElementsOf(IntStream.rangeClosed(1, last).boxed().toList());
      assertThat(echo.lines).noneMatch(line -> line.path("type").asText().contains("not_recovered"));
      System.out.printf("pusher-js moved over 3 nodes: %d events, %d of them replayed from Redis%n", last, replayed);
    }
  }

  @Test
  void echoIsToldOfATrimmedGapAndGetsNothingOfIt() throws Exception {
    try (GatedProxy proxy = new GatedProxy(cluster.port(0));
        RecoveringEcho echo = new RecoveringEcho(proxy, "short-history-x")) {
      echo.await("ready");
      publish("short-history-x", 1, 3);
      echo.eventsUpTo(3);
      moveWhilePublishing(proxy, cluster.port(1), "short-history-x", 4, 20);
      echo.await("subscribed");
      JsonNode told = echo.await("not_recovered");
      assertThat(told.get("reason").asText()).isEqualTo("trimmed");
      assertThat(told.get("offset").asLong()).isEqualTo(20);
      assertThat(echo.await("channel_not_recovered").get("reason").asText()).isEqualTo("trimmed");
      publish("short-history-x", 21, 40);
      List<Integer> expected = new ArrayList<>(List.of(1, 2, 3));
      IntStream.rangeClosed(21, 40).forEach(expected::add);
      assertThat(echo.eventsUpTo(40)).containsExactlyElementsOf(expected);
    }
  }

  @Test
  void echoMovedToANodeWithoutTheChannelsRuleIsToldItsGapIsLost() throws Exception {
    // a node started without --history, as during a rolling deploy that adds the rule
    try (NodeProcess bare = NodeProcess.start(cluster.redis.uri(), Duration.ofSeconds(20), "bare", cluster.webhookUrl());
        GatedProxy proxy = new GatedProxy(cluster.port(0));
        RecoveringEcho echo = new RecoveringEcho(proxy, "history-bare")) {
      echo.await("ready");
      publish("history-bare", 1, 3);
      echo.eventsUpTo(3);
      moveWhilePublishing(proxy, bare.port, "history-bare", 4, 10);
      echo.await("subscribed");
      assertThat(echo.await("not_recovered").get("reason").asText()).isEqualTo("no_history");
      assertThat(echo.await("channel_not_recovered").get("reason").asText()).isEqualTo("no_history");
      publish("history-bare", 11, 15);
      assertThat(echo.eventsUpTo(15)).containsExactly(1, 2, 3, 11, 12, 13, 14, 15);
    }
  }

  @Test
  void aPositionThatIsNotWholeIsAnsweredInvalidPositionWithTheCurrentOne() throws Exception {
    publish("history-malformed", 1, 3);
    for (String malformed : List.of("{\"epoch\":\"whatever\",\"offset\":\"1\"}", "{\"offset\":1}")) {
      RawSocket socket = RawSocket.connect(cluster.port(1));
      socket.subscribe("history-malformed", (ObjectNode) TestCluster.JSON.readTree(malformed));
      JsonNode answer = recoveryAnswer(socket);
      assertThat(answer.get("recovered").asBoolean()).as(malformed).isFalse();
      assertThat(answer.get("reason").asText()).isEqualTo("invalid_position");
      assertThat(answer.get("offset").asLong()).isEqualTo(3);
      assertThat(answer.get("replayed").asInt()).isZero();
      socket.close();
    }
    RawSocket socket = RawSocket.connect(cluster.port(2));
    socket.subscribe("history-malformed", TestCluster.JSON.createObjectNode().put("offset", 1));
    assertThat(recoveryAnswer(socket).get("reason").asText()).isEqualTo("invalid_position");
    publish(0, "history-malformed", 4);
    JsonNode live = socket.next();
    assertThat(n(live)).isEqualTo(4);
    assertThat(live.get("offset").asLong()).isEqualTo(4);
    socket.close();
  }

  @Test
  void clientEventsAreDeliveredLiveOnEveryNodeButNeverKeptNorReplayed() throws Exception {
    String channel = "private-history-whisper";
    List<RawSocket> sockets = new ArrayList<>();
    for (int node = 0; node < 2; node++) {
      RawSocket socket = RawSocket.connect(cluster.port(node));
      String auth = TestCluster.JSON.readTree(cluster.nodes.get(0).driver(TestCluster.APP_ID).authSigner()
          .signPrivate(socket.socketId, channel)).get("auth").asText();
      socket.send("{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":\"" + channel + "\",\"auth\":\"" + auth + "\"}}");
      assertThat(socket.next().path("event").asText()).isEqualTo("pusher_internal:subscription_succeeded");
      sockets.add(socket);
    }
    RawSocket sender = sockets.get(0);
    RawSocket receiver = sockets.get(1);
    publish(2, channel, 1);
    String epoch = sender.next().get("epoch").asText();
    sender.send("{\"event\":\"client-typing\",\"channel\":\"" + channel + "\",\"data\":{\"who\":\"me\"}}");
    assertThat(n(receiver.next())).isEqualTo(1);
    assertThat(receiver.nextText())
        .isEqualTo("{\"event\":\"client-typing\",\"channel\":\"" + channel + "\",\"data\":{\"who\":\"me\"}}");
    publish(2, channel, 2);
    assertThat(receiver.next().get("offset").asLong()).as("the whisper took no offset").isEqualTo(2);
    assertThat(sender.next().get("offset").asLong()).isEqualTo(2);
    sender.close();

    RawSocket again = RawSocket.connect(cluster.port(2));
    String auth = TestCluster.JSON.readTree(cluster.nodes.get(0).driver(TestCluster.APP_ID).authSigner()
        .signPrivate(again.socketId, channel)).get("auth").asText();
    again.send("{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":\"" + channel + "\",\"auth\":\"" + auth
        + "\",\"recovery\":{\"epoch\":\"" + epoch + "\",\"offset\":0}}}");
    assertThat(again.next().path("event").asText()).isEqualTo("pusher_internal:subscription_succeeded");
    assertThat(recoveryAnswer(again).get("replayed").asInt()).isEqualTo(2);
    assertThat(n(again.next())).isEqualTo(1);
    assertThat(n(again.next())).isEqualTo(2);
    publish(0, channel, 3);
    assertThat(n(again.next())).as("no whisper before the next event").isEqualTo(3);
    receiver.close();
    again.close();
  }

  @Test
  void aCacheChannelResubscribedFromAPositionGetsItsLastEventOnce() throws Exception {
    publish("cache-history-last", 1, 3);
    String epoch = TestCluster.JSON.readTree(cluster.sdk(0).get("/channels/cache-history-last/history",
        Map.of("from", "0")).getMessage()).get("epoch").asText();
    RawSocket socket = RawSocket.connect(cluster.port(1));
    socket.subscribe("cache-history-last", position(epoch, 2));
    JsonNode answer = recoveryAnswer(socket);
    assertThat(answer.get("recovered").asBoolean()).isTrue();
    assertThat(answer.get("replayed").asInt()).isEqualTo(1);
    assertThat(n(socket.next())).isEqualTo(3);
    publish(2, "cache-history-last", 4);
    assertThat(n(socket.next())).as("{\"n\":3} once").isEqualTo(4);
    socket.close();
  }
}
