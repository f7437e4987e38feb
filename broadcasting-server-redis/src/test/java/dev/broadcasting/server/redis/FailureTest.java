package dev.broadcasting.server.redis;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.pusher.rest.data.Result;
import dev.broadcasting.redis.GatedProxy;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * What the cluster does when a part of it fails: a node killed with SIGKILL, a node cut off from
 * Redis, Redis restarted empty. Leases are 2 s here, so a lapsed node is noticed within 2.5 s.
 */
@Tag("integration")
class FailureTest {
  private static final Duration LEASE = Duration.ofSeconds(2);
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private TestCluster cluster;
  private Clients clients;

  @BeforeEach
  void start() throws Exception {
    cluster = new TestCluster(3, LEASE);
    clients = cluster.clients();
  }

  @AfterEach
  void stop() {
    clients.close();
    cluster.close();
  }

  @Test
  void aKilledNodesMembersLeaveOnceWithinTheLease() throws Exception {
    String channel = "presence-crash.1";
    try (NodeProcess doomed = NodeProcess.start(cluster.redis.uri(), LEASE, "doomed", cluster.webhookUrl())) {
      assertThat(clients.echoJoin("alice", cluster.port(0), "alice", "crash.1")).containsExactly("alice");
      assertThat(clients.echoJoin("dave", doomed.port, "dave", "crash.1")).containsExactly("alice", "dave");
      clients.echoJoin("erin", cluster.port(2), "erin", "crash.1");
      cluster.nextWebhook("member_added", channel);
      doomed.kill();
    }
    clients.await(line -> Clients.is(line, "leaving", "alice") && line.path("user").asText().equals("dave"));
    clients.await(line -> Clients.is(line, "leaving", "erin") && line.path("user").asText().equals("dave"));
    assertThat(cluster.nextWebhook("member_removed", channel).path("user_id").asText()).isEqualTo("dave");
    // one more member through every live node: their webhooks come after anything the crash caused
    for (int node = 0; node < 3; node++) {
      clients.echoJoin("late" + node, cluster.port(node), "late" + node, "crash.2");
      cluster.nextWebhook("member_added", "presence-crash.2");
    }
    assertThat(cluster.seenWebhooks().stream().filter(hook -> hook.path("name").asText().equals("member_removed")))
        .hasSize(1);
    assertThat(clients.lines(line -> line.path("type").asText().equals("leaving"))).hasSize(2);
    JsonNode users = ClusterTest.json(cluster.sdk(1).get("/channels/" + channel + "/users"));
    assertThat(users.get("users").findValuesAsText("id")).containsExactlyInAnyOrder("alice", "erin");
  }

  @Test
  void aNodeCutOffFromRedisServesItsOwnSocketsAndRegistersAgain() throws Exception {
    try (GatedProxy proxy = new GatedProxy(cluster.redis.port())) {
      int cut = cluster.addNode("redis://127.0.0.1:" + proxy.port()).port();
      clients.echoJoin("alice", cluster.port(0), "alice", "cut.1");
      clients.echoJoin("yara", cut, "yara", "cut.1");
      clients.connect("z1", cut, "z1");
      clients.connect("z2", cut, "z2");
      clients.subscribe("z1", "private-local");
      clients.subscribe("z2", "private-local");

      proxy.shut();
      awaitHealth(cut, "degraded");
      Result refused = cluster.sdk(3).trigger("news", "Lost", Map.of("n", 1));
      assertThat(refused.getHttpStatus()).isEqualTo(503);
      assertThat(refused.getMessage()).contains("The cluster is out of reach");
      // its own sockets still talk to each other, and new subscriptions work on the node
      clients.whisper("z1", "private-local", "client-note", "local");
      clients.await(line -> Clients.is(line, "event", "z2") && line.path("data").path("text").asText().equals("local"));
      clients.subscribe("z2", "during-outage");
      // the others drop the node's members once its lease runs out
      clients.await(line -> Clients.is(line, "leaving", "alice") && line.path("user").asText().equals("yara"));

      proxy.open();
      awaitHealth(cut, "ok");
      clients.await(line -> Clients.is(line, "joining", "alice") && line.path("user").asText().equals("yara"));
      JsonNode users = ClusterTest.json(cluster.sdk(0).get("/channels/presence-cut.1/users"));
      assertThat(users.get("users").findValuesAsText("id")).containsExactlyInAnyOrder("alice", "yara");
      Result sent = cluster.sdk(0).trigger("during-outage", "Back", Map.of("n", 2));
      assertThat(sent.getHttpStatus()).as(sent.getMessage()).isEqualTo(200);
      clients.await(line -> Clients.is(line, "event", "z2") && line.path("event").asText().equals("Back"));
    }
  }

  @Test
  void aRestartedRedisGetsEveryNodesStateBack() throws Exception {
    for (int node = 0; node < 3; node++) {
      clients.echoJoin("r" + node, cluster.port(node), "r" + node, "restart.1");
      clients.connect("p" + node, cluster.port(node), "p" + node);
      clients.subscribe("p" + node, "after-restart");
    }
    cluster.redis.restart();
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    List<String> ids = List.of();
    while (System.nanoTime() < deadline && ids.size() != 3) {
      Result listed = cluster.sdk(1).get("/channels/presence-restart.1/users");
      ids = listed.getHttpStatus() == 200 ? ClusterTest.json(listed).get("users").findValuesAsText("id") : List.of();
      Thread.sleep(50);
    }
    assertThat(ids).containsExactlyInAnyOrder("r0", "r1", "r2");
    JsonNode counts = ClusterTest.json(cluster.sdk(2).get("/channels/after-restart", Map.of("info", "subscription_count")));
    assertThat(counts.get("subscription_count").asInt()).isEqualTo(3);
    Result sent = cluster.sdk(0).trigger("after-restart", "Again", Map.of("n", 1));
    assertThat(sent.getHttpStatus()).as(sent.getMessage()).isEqualTo(200);
    for (int node = 0; node < 3; node++) {
      String id = "p" + node;
      clients.await(line -> Clients.is(line, "event", id) && line.path("event").asText().equals("Again"));
    }
    // nobody left or came: registering again after the restart announces nothing, to clients or webhooks
    for (int node = 0; node < 3; node++) {
      clients.connect("mark" + node, cluster.port(node), "mark" + node);
      clients.subscribe("mark" + node, "restart-mark" + node);
      cluster.nextWebhook("channel_occupied", "restart-mark" + node);
    }
    assertThat(cluster.seenWebhooks()).noneMatch(hook -> hook.path("name").asText().equals("member_removed"));
    assertThat(cluster.seenWebhooks().stream().filter(hook -> hook.path("channel").asText().equals("presence-restart.1"))
        .map(hook -> hook.path("name").asText() + ":" + hook.path("user_id").asText()))
        .containsExactlyInAnyOrder("channel_occupied:", "member_added:r0", "member_added:r1", "member_added:r2");
    assertThat(cluster.seenWebhooks().stream().filter(hook -> hook.path("channel").asText().equals("after-restart")))
        .hasSize(1);
    assertThat(clients.lines(line -> line.path("type").asText().equals("joining"))).hasSize(3);
  }

  private static void awaitHealth(int port, String status) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    String body = "";
    while (System.nanoTime() < deadline) {
      body = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health")).build(),
          HttpResponse.BodyHandlers.ofString()).body();
      if (body.contains("\"status\":\"" + status + "\"")) {
        return;
      }
      Thread.sleep(20);
    }
    throw new AssertionError("/health did not say " + status + " within 15 s; last: " + body);
  }
}
