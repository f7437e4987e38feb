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
      clients.await(line -> Clients.is(line, "event", id) && line.path("event").asText().equals("End"));
      // the SDK's and the driver's events each stay in their order; between them, the order they were sent in
      assertThat(clients.events(id, "fanout")).as(id).containsExactlyElementsOf(expected);
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
    assertThat(cluster.nextWebhook("member_added").path("user_id").asText()).isEqualTo("alice");
    assertThat(cluster.nextWebhook("member_added").path("user_id").asText()).isEqualTo("bob");

    clients.disconnect("bob1");
    awaitSubscriptions(channel, 2);
    assertThat(clients.echoJoin("carol", cluster.port(1), "carol", room)).containsExactly("alice", "bob", "carol");
    clients.await(line -> Clients.is(line, "joining", "alice") && line.path("user").asText().equals("carol"));
    clients.disconnect("bob2");
    clients.await(line -> Clients.is(line, "leaving", "alice") && line.path("user").asText().equals("bob"));
    clients.await(line -> Clients.is(line, "leaving", "carol") && line.path("user").asText().equals("bob"));
    assertThat(cluster.nextWebhook("member_added").path("user_id").asText()).isEqualTo("carol");
    assertThat(cluster.nextWebhook("member_removed").path("user_id").asText()).isEqualTo("bob");
    assertThat(clients.lines(line -> line.path("type").asText().equals("joining")).stream()
        .map(line -> line.path("id").asText() + "<-" + line.path("user").asText()))
        .containsExactly("alice<-bob", "alice<-carol", "bob2<-carol");
    assertThat(clients.lines(line -> line.path("type").asText().equals("leaving")).stream()
        .map(line -> line.path("id").asText() + "<-" + line.path("user").asText()))
        .containsExactlyInAnyOrder("alice<-bob", "carol<-bob");
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
