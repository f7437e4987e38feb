package dev.broadcasting.server.redis;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.pusher.rest.Pusher;
import com.pusher.rest.data.Result;
import dev.broadcasting.Channel;
import dev.broadcasting.spi.BroadcastDriver;
import dev.broadcasting.spi.BroadcastMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Three server nodes on one real redis-server, real pusher-js and laravel-echo clients spread over
 * them, the official Pusher SDK publishing to one node: the cluster behaves as one server. Each
 * test uses channels of its own, so they share the cluster.
 */
class ClusterTest {
  private static TestCluster cluster;
  private static Clients clients;

  @BeforeAll
  static void start() throws Exception {
    cluster = new TestCluster(3, Duration.ofSeconds(20));
    clients = cluster.clients();
  }

  @AfterAll
  static void stop() {
    if (clients != null) {
      clients.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  private static void trigger(Pusher sdk, String channel, String event, int n, String exceptSocketId) {
    Result result = sdk.trigger(channel, event, Map.of("n", n), exceptSocketId);
    assertThat(result.getHttpStatus()).as(result.getMessage()).isEqualTo(200);
  }

  @Test
  void eventsFromAnyNodeReachEverySubscriberOnceInOrder() throws Exception {
    List<String> ids = List.of("f0", "f1", "f2", "f3", "f4", "f5");
    for (int i = 0; i < ids.size(); i++) {
      clients.connect(ids.get(i), cluster.port(i % 3), "u" + i);
      clients.subscribe(ids.get(i), "fanout");
    }
    Pusher sdk = cluster.sdk(0);
    BroadcastDriver driver = cluster.nodes.get(1).driver(TestCluster.APP_ID);
    List<String> expected = new ArrayList<>();
    for (int n = 0; n < 20; n++) {
      trigger(sdk, "fanout", "Sdk", n, null);
      expected.add("Sdk#" + n);
      driver.publish(BroadcastMessage.of("Driver", List.of(Channel.of("fanout")), "{\"n\":" + n + "}")).join();
      expected.add("Driver#" + n);
    }
    trigger(cluster.sdk(2), "fanout", "End", 0, null);
    expected.add("End#0");
    for (String id : ids) {
      // each publisher's events arrive once and in its order; between two publishers no order is
      // promised, so End (a third publisher) may come before the others' last events: wait for all three
      for (String last : List.of("Sdk", "Driver", "End")) {
        int n = last.equals("End") ? 0 : 19;
        clients.await(line -> Clients.is(line, "event", id) && line.path("event").asText().equals(last)
            && line.path("data").path("n").asInt() == n);
      }
      List<String> received = clients.events(id, "fanout");
      assertThat(received).as(id).containsExactlyInAnyOrderElementsOf(expected);
      assertThat(received.stream().filter(e -> e.startsWith("Sdk"))).as(id)
          .containsExactlyElementsOf(expected.stream().filter(e -> e.startsWith("Sdk")).toList());
      assertThat(received.stream().filter(e -> e.startsWith("Driver"))).as(id)
          .containsExactlyElementsOf(expected.stream().filter(e -> e.startsWith("Driver")).toList());
    }
  }

  @Test
  void toOthersLeavesOutTheSenderOnAnotherNode() throws Exception {
    clients.connect("o0", cluster.port(0), "o0");
    String sender = clients.connect("o2", cluster.port(2), "o2");
    clients.subscribe("o0", "others");
    clients.subscribe("o2", "others");
    trigger(cluster.sdk(1), "others", "Skipped", 1, sender);
    trigger(cluster.sdk(1), "others", "End", 2, null);
    clients.await(line -> Clients.is(line, "event", "o2") && line.path("event").asText().equals("End"));
    clients.await(line -> Clients.is(line, "event", "o0") && line.path("event").asText().equals("End"));
    assertThat(clients.events("o2", "others")).containsExactly("End#2");
    assertThat(clients.events("o0", "others")).containsExactly("Skipped#1", "End#2");
  }

  @Test
  void whispersCrossNodesAndNeverComeBack() throws Exception {
    for (int i = 0; i < 3; i++) {
      clients.connect("w" + i, cluster.port(i), "w" + i);
      clients.subscribe("w" + i, "private-chat.1");
    }
    clients.whisper("w0", "private-chat.1", "client-typing", "from w0");
    clients.whisper("w1", "private-chat.1", "client-typing", "from w1");
    for (String id : List.of("w0", "w1", "w2")) {
      clients.await(line -> Clients.is(line, "event", id) && line.path("data").path("text").asText().equals("from w1")
          || Clients.is(line, "event", id) && id.equals("w1") && line.path("data").path("text").asText().equals("from w0"));
    }
    clients.await(line -> Clients.is(line, "event", "w2") && line.path("data").path("text").asText().equals("from w0"));
    // two senders on two nodes: each whisper once, in no particular order between them
    assertThat(clients.events("w2", "private-chat.1")).containsExactlyInAnyOrder("client-typing:from w0",
        "client-typing:from w1");
    assertThat(clients.events("w1", "private-chat.1")).containsExactly("client-typing:from w0");
    assertThat(clients.events("w0", "private-chat.1")).containsExactly("client-typing:from w1");
  }

  @Test
  void presenceIsPerUserAcrossTheCluster() throws Exception {
    String room = "room.7";
    String channel = "presence-" + room;
    assertThat(clients.echoJoin("alice", cluster.port(0), "alice", room)).containsExactly("alice");
    assertThat(clients.echoJoin("bob1", cluster.port(1), "bob", room)).containsExactly("alice", "bob");
    clients.await(line -> Clients.is(line, "joining", "alice") && line.path("user").asText().equals("bob"));
    // bob's second connection, on another node, is the same member: nobody hears him join again
    assertThat(clients.echoJoin("bob2", cluster.port(2), "bob", room)).containsExactly("alice", "bob");
    // alice's webhook comes from node 0 and bob's from node 1: two senders, so no order between them
    assertThat(List.of(cluster.nextWebhook("member_added", channel).path("user_id").asText(),
        cluster.nextWebhook("member_added", channel).path("user_id").asText()))
        .containsExactlyInAnyOrder("alice", "bob");

    clients.disconnect("bob1");
    awaitSubscriptions(channel, 2);
    assertThat(clients.echoJoin("carol", cluster.port(1), "carol", room)).containsExactly("alice", "bob", "carol");
    clients.await(line -> Clients.is(line, "joining", "alice") && line.path("user").asText().equals("carol"));
    clients.await(line -> Clients.is(line, "joining", "bob2") && line.path("user").asText().equals("carol"));
    clients.disconnect("bob2");
    clients.await(line -> Clients.is(line, "leaving", "alice") && line.path("user").asText().equals("bob"));
    clients.await(line -> Clients.is(line, "leaving", "carol") && line.path("user").asText().equals("bob"));
    assertThat(cluster.nextWebhook("member_added", channel).path("user_id").asText()).isEqualTo("carol");
    assertThat(cluster.nextWebhook("member_removed", channel).path("user_id").asText()).isEqualTo("bob");
    markWebhooks("presence-marks");
    assertThat(cluster.seenWebhooks().stream().filter(hook -> hook.path("channel").asText().equals(channel))
        .map(hook -> hook.path("name").asText() + ":" + hook.path("user_id").asText()))
        .containsExactlyInAnyOrder("channel_occupied:", "member_added:alice", "member_added:bob",
            "member_added:carol", "member_removed:bob");
    assertThat(clients.lines(line -> line.path("type").asText().equals("joining")).stream()
        .map(line -> line.path("id").asText() + "<-" + line.path("user").asText()))
        .containsExactlyInAnyOrder("alice<-bob", "alice<-carol", "bob2<-carol");
    assertThat(clients.lines(line -> line.path("type").asText().equals("leaving")).stream()
        .map(line -> line.path("id").asText() + "<-" + line.path("user").asText()))
        .containsExactlyInAnyOrder("alice<-bob", "carol<-bob");
  }

  @Test
  void channelQueriesAnswerForTheWholeClusterFromAnyNode() throws Exception {
    clients.echoJoin("q0", cluster.port(0), "quinn", "query.1");
    clients.echoJoin("q1", cluster.port(1), "quinn", "query.1");
    clients.echoJoin("q2", cluster.port(2), "rory", "query.1");
    clients.connect("q3", cluster.port(1), "q3");
    clients.subscribe("q3", "query-public");
    for (int node = 0; node < 3; node++) {
      Pusher sdk = cluster.sdk(node);
      JsonNode one = json(sdk.get("/channels/presence-query.1", Map.of("info", "subscription_count,user_count")));
      assertThat(one.toString()).isEqualTo("{\"occupied\":true,\"subscription_count\":3,\"user_count\":2}");
      JsonNode users = json(sdk.get("/channels/presence-query.1/users"));
      assertThat(users.get("users").findValuesAsText("id")).containsExactlyInAnyOrder("quinn", "rory");
      JsonNode presence = json(sdk.get("/channels", Map.of("filter_by_prefix", "presence-query", "info", "user_count")));
      assertThat(presence.toString()).isEqualTo("{\"channels\":{\"presence-query.1\":{\"user_count\":2}}}");
      JsonNode all = json(sdk.get("/channels", Map.of("filter_by_prefix", "query-")));
      assertThat(all.toString()).isEqualTo("{\"channels\":{\"query-public\":{}}}");
      assertThat(json(sdk.get("/channels/query-nobody")).toString()).isEqualTo("{\"occupied\":false}");
    }
  }

  @Test
  void terminateConnectionsAndSendToUserReachEveryNode() throws Exception {
    clients.connect("t0", cluster.port(0), "tess");
    clients.connect("t2", cluster.port(2), "tess");
    clients.signIn("t0");
    clients.signIn("t2");
    // the SDK's trigger refuses #server-to-user- names; its signed post sends what sendToUser would
    Result sent = cluster.sdk(1).post("/events",
        "{\"name\":\"Note\",\"channels\":[\"#server-to-user-tess\"],\"data\":\"{\\\"n\\\":1}\"}");
    assertThat(sent.getHttpStatus()).as(sent.getMessage()).isEqualTo(200);
    for (String id : List.of("t0", "t2")) {
      clients.await(line -> Clients.is(line, "user_event", id) && line.path("event").asText().equals("Note"));
    }
    Result terminated = cluster.sdk(1).post("/users/tess/terminate_connections", "{}");
    assertThat(terminated.getHttpStatus()).as(terminated.getMessage()).isEqualTo(200);
    for (String id : List.of("t0", "t2")) {
      clients.await(line -> Clients.is(line, "state", id) && !line.path("state").asText().equals("connected"));
    }
  }

  @Test
  void cacheChannelsKeepTheirLastEventForEveryNode() throws Exception {
    trigger(cluster.sdk(0), "cache-prices", "Price", 1, null);
    trigger(cluster.sdk(0), "cache-prices", "Price", 2, null);
    clients.connect("c2", cluster.port(2), "c2");
    clients.subscribe("c2", "cache-prices");
    clients.await(line -> Clients.is(line, "event", "c2") && line.path("event").asText().equals("Price"));
    assertThat(clients.events("c2", "cache-prices")).containsExactly("Price#2");
    // a cache channel nobody published on: the miss is announced to the client and to the app
    clients.subscribe("c2", "cache-empty");
    clients.await(line -> Clients.is(line, "event", "c2") && line.path("event").asText().equals("pusher:cache_miss"));
    cluster.nextWebhook("cache_miss", "cache-empty");
  }

  @Test
  void occupiedAndVacatedWebhooksGoOutOnceForTheCluster() throws Exception {
    for (int i = 0; i < 3; i++) {
      clients.connect("h" + i, cluster.port(i), "h" + i);
      clients.subscribe("h" + i, "hooked");
    }
    for (int i = 0; i < 3; i++) {
      clients.unsubscribe("h" + i, "hooked");
    }
    cluster.nextWebhook("channel_vacated", "hooked");
    markWebhooks("hooked");
    List<String> hooked = new ArrayList<>();
    cluster.seenWebhooks().stream().filter(hook -> hook.path("channel").asText().equals("hooked"))
        .forEach(hook -> hooked.add(hook.path("name").asText()));
    // decided on different nodes, each sends its own: once each, in no promised order
    assertThat(hooked).containsExactlyInAnyOrder("channel_occupied", "channel_vacated");
  }

  @Test
  void aFullPresenceChannelIsFullForTheWholeCluster() throws Exception {
    String channel = "presence-full.1";
    for (int node = 0; node < 3; node++) {
      clients.connect("m" + node, cluster.port(node), "member" + node);
      clients.subscribe("m" + node, channel);
    }
    clients.connect("m3", cluster.port(0), "member3");
    clients.trySubscribe("m3", channel);
    JsonNode refused = clients.await(line -> Clients.is(line, "event", "m3")
        && line.path("event").asText().equals("pusher:subscription_error"));
    assertThat(refused.path("data").path("type").asText()).isEqualTo("LimitReached");
    assertThat(refused.path("data").path("status").asInt()).isEqualTo(403);
    // the refused socket counts neither as a member nor as a subscriber
    JsonNode counts = json(cluster.sdk(0).get("/channels/" + channel, Map.of("info", "subscription_count,user_count")));
    assertThat(counts.toString()).isEqualTo("{\"occupied\":true,\"subscription_count\":3,\"user_count\":3}");
    clients.disconnect("m3");
    clients.disconnect("m0");
    clients.await(line -> Clients.is(line, "event", "m1") && line.path("event").asText().equals("pusher:member_removed"));
    clients.connect("m4", cluster.port(2), "member4");
    clients.subscribe("m4", channel);
    clients.await(line -> Clients.is(line, "event", "m1") && line.path("data").path("id").asText().equals("member4"));
    assertThat(clients.events("m1", channel)).containsExactly("pusher:member_added:member2",
        "pusher:member_removed:member0", "pusher:member_added:member4");
  }

  @Test
  void pipelinedApiCallsAreAnsweredAndDeliveredInTheirOrder() throws Exception {
    clients.connect("pipe", cluster.port(1), "pipe");
    clients.subscribe("pipe", "pipelined");
    StringBuilder requests = new StringBuilder();
    for (int n = 0; n < 20; n++) {
      String body = "{\"name\":\"Piped\",\"channels\":[\"pipelined\"],\"data\":\"{\\\"n\\\":" + n + "}\"}";
      java.net.URI signed = cluster.sdk(0).signedUri("POST", "/apps/" + TestCluster.APP_ID + "/events", body);
      requests.append("POST ").append(signed.getRawPath()).append('?').append(signed.getRawQuery())
          .append(" HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ")
          .append(body.getBytes(java.nio.charset.StandardCharsets.UTF_8).length).append("\r\n\r\n").append(body);
    }
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", cluster.port(0))) {
      socket.getOutputStream().write(requests.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
      socket.getOutputStream().flush();
      clients.await(line -> Clients.is(line, "event", "pipe") && line.path("data").path("n").asInt() == 19);
      socket.setSoTimeout(10_000);
      StringBuilder answers = new StringBuilder();
      byte[] buffer = new byte[4096];
      while (answers.toString().split("HTTP/1.1 ", -1).length < 21) {
        int n = socket.getInputStream().read(buffer);
        assertThat(n).as("answers so far: " + answers).isPositive();
        answers.append(new String(buffer, 0, n, java.nio.charset.StandardCharsets.UTF_8));
      }
      assertThat(answers.toString().split("HTTP/1.1 200 OK", -1)).hasSize(21);
    }
    List<String> expected = new ArrayList<>();
    for (int n = 0; n < 20; n++) {
      expected.add("Piped#" + n);
    }
    assertThat(clients.events("pipe", "pipelined")).containsExactlyElementsOf(expected);
  }

  @Test
  void aNodeSubscribesInRedisOnlyToTheChannelsItsSocketsUse() throws Exception {
    clients.connect("only2", cluster.port(2), "only2");
    clients.connect("only2b", cluster.port(2), "only2b");
    clients.subscribe("only2", "node-two-only");
    clients.subscribe("only2b", "node-two-only");
    String redisChannel = "broadcasting:server:" + TestCluster.APP_ID + ":c:node-two-only";
    try (io.lettuce.core.RedisClient redis = io.lettuce.core.RedisClient.create(cluster.redis.uri());
        io.lettuce.core.api.StatefulRedisConnection<String, String> admin = redis.connect()) {
      // one Redis subscription for node 2's two sockets, none for the nodes without any
      assertThat(admin.sync().pubsubNumsub(redisChannel)).containsEntry(redisChannel, 1L);
      clients.unsubscribe("only2", "node-two-only");
      clients.unsubscribe("only2b", "node-two-only");
      awaitSubscriptions("node-two-only", 0);
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (admin.sync().pubsubNumsub(redisChannel).get(redisChannel) != 0 && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(admin.sync().pubsubNumsub(redisChannel)).containsEntry(redisChannel, 0L);
    }
  }

  /**
   * A webhook from every node, after which the webhooks that earlier steps caused have arrived:
   * a new client on each node subscribes to a channel of its own.
   */
  private static void markWebhooks(String stem) throws Exception {
    for (int node = 0; node < 3; node++) {
      String id = stem + "-client" + node;
      clients.connect(id, cluster.port(node), id);
      clients.subscribe(id, stem + "-mark" + node);
      cluster.nextWebhook("channel_occupied", stem + "-mark" + node);
    }
  }

  private static void awaitSubscriptions(String channel, int count) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (cluster.nodes.get(0).subscriptionCount(TestCluster.APP_ID, channel) != count) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(channel + " did not reach " + count + " subscriptions");
      }
      Thread.sleep(20);
    }
  }

  static JsonNode json(Result result) throws Exception {
    assertThat(result.getHttpStatus()).as(result.getMessage()).isEqualTo(200);
    return TestCluster.JSON.readTree(result.getMessage());
  }
}
