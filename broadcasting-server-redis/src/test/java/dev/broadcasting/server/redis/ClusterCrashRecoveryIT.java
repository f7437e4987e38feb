package dev.broadcasting.server.redis;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.pusher.rest.Pusher;
import com.pusher.rest.data.Result;
import dev.broadcasting.redis.GatedProxy;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A node killed with SIGKILL while a recovering client is on it: three nodes on one real
 * redis-server, the doomed one a JVM of its own started as an operator would, with
 * {@code --history}. laravel-echo with the recovery plugin is behind a relay that plays the load
 * balancer: it sends the client from node 0 to the doomed node, and after the kill to a live one.
 * The official Pusher SDK publishes at a steady pace on the two other nodes.
 */
@Tag("integration")
class ClusterCrashRecoveryIT {
  private static final Duration LEASE = Duration.ofSeconds(2);
  private static final String CHANNEL = "history-crash";

  @Test
  void echoOnAKilledNodeGetsEveryEventOnceInOrderFromAnotherNode() throws Exception {
    try (TestCluster cluster = new TestCluster(2, LEASE); Clients members = cluster.clients();
        NodeProcess doomed = NodeProcess.start(cluster.redis.uri(), LEASE, "doomed", cluster.webhookUrl(),
            "--history", "history-*:1000:5m");
        GatedProxy balancer = new GatedProxy(cluster.port(0));
        RecoveringEcho echo = new RecoveringEcho(balancer, CHANNEL)) {
      assertThat(members.echoJoin("alice", cluster.port(0), "alice", "crash")).containsExactly("alice");
      assertThat(members.echoJoin("dave", doomed.port, "dave", "crash")).containsExactly("alice", "dave");
      cluster.nextWebhook("member_added", "presence-crash");
      cluster.nextWebhook("member_added", "presence-crash");
      echo.await("ready");
      List<Pusher> sdks = List.of(cluster.sdk(0), cluster.sdk(1));
      SteadyPublisher publisher = new SteadyPublisher(n -> trigger(sdks.get(n % 2), n), Integer.MAX_VALUE, 5);

      // the client comes to the doomed node by a reconnect, so that node's own history setting
      // answers its resubscription; without --history the gap would be lost here
      echo.eventsUpTo(50);
      balancer.shut();
      balancer.target(doomed.port);
      publisher.awaitMore(100);
      balancer.open();
      echo.await("subscribed");
      int replayedByDoomed = echo.await("recovered").get("replayed").asInt();
      assertThat(replayedByDoomed).isGreaterThanOrEqualTo(100);

      // mid-stream: live events reach the client through the doomed node, then it dies without a word
      echo.eventsUpTo(publisher.published() + 20);
      doomed.kill();
      long killedAt = System.currentTimeMillis();
      echo.await("connecting");
      // reconnects are refused until the balancer sends them to a live node, 200 events later
      publisher.awaitMore(200);
      balancer.target(cluster.port(1));
      long retargetedAt = System.currentTimeMillis();
      echo.await("subscribed");
      JsonNode recovered = echo.await("recovered");
      assertThat(recovered.get("replayed").asInt()).isGreaterThanOrEqualTo(200);
      publisher.awaitMore(100);
      int last = publisher.stop();

      assertThat(echo.eventsUpTo(last)).containsExactlyElementsOf(IntStream.rangeClosed(1, last).boxed().toList());
      assertThat(echo.lines).noneMatch(line -> line.path("type").asText().contains("not_recovered"));

      // the dead node's member leaves once its lease lapses, told to the app and to alice
      members.await(line -> Clients.is(line, "leaving", "alice") && line.path("user").asText().equals("dave"));
      assertThat(cluster.nextWebhook("member_removed", "presence-crash").path("user_id").asText()).isEqualTo("dave");
      JsonNode users = ClusterTest.json(cluster.sdk(1).get("/channels/presence-crash/users"));
      assertThat(users.get("users").findValuesAsText("id")).containsExactly("alice");
      System.out.printf("SIGKILL mid-stream: %d events; %d replayed by the doomed node after a move, %d by a live node"
          + " %d ms after the kill, %d ms after the relay turned to it%n", last, replayedByDoomed,
          recovered.get("replayed").asInt(), recovered.get("at").asLong() - killedAt,
          recovered.get("at").asLong() - retargetedAt);
    }
  }

  private static void trigger(Pusher sdk, int n) {
    Result result = sdk.trigger(CHANNEL, "Tick", Map.of("n", n));
    if (result.getHttpStatus() != 200) {
      throw new AssertionError("event " + n + " refused: " + result.getHttpStatus() + " " + result.getMessage());
    }
  }
}
