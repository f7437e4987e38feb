package dev.broadcasting.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.broadcasting.Channel;
import dev.broadcasting.spi.BroadcastMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * laravel-echo with the recovery plugin (src/main/js/broadcasting-recovery.mjs) through a TCP
 * proxy that drops and stalls its connection while events flow at a steady rate.
 */
class RecoveryPusherJsTest {
  private static final String KEY = "key-1";

  private BroadcastServer server;
  private BroadcastServer restarted;
  private TcpProxy proxy;

  @AfterEach
  void stop() throws Exception {
    if (proxy != null) {
      proxy.close();
    }
    for (BroadcastServer s : new BroadcastServer[] {server, restarted}) {
      if (s != null) {
        s.close();
      }
    }
  }

  private static BroadcastServer start(int maxEvents) {
    return BroadcastServer.builder().host("127.0.0.1").port(0)
        .app(App.builder("1", KEY, "secret-1").history("news", maxEvents, Duration.ofMinutes(1)).build())
        .build().start();
  }

  private static void publish(BroadcastServer to, int n) {
    to.driver("1").publish(BroadcastMessage.of("Tick", List.of(Channel.of("news")), "{\"n\":" + n + "}")).join();
  }

  private NodeScripts echo(int last, boolean recovery) throws Exception {
    return NodeScripts.start(Map.of("PORT", Integer.toString(proxy.port()), "KEY", KEY, "CHANNEL", "news",
        "LAST", Integer.toString(last), "RECOVERY", recovery ? "1" : "0"), "recovery.mjs");
  }

  private static List<Integer> events(List<JsonNode> lines) {
    return lines.stream().filter(line -> line.path("type").asText().equals("event"))
        .map(line -> line.get("n").asInt()).toList();
  }

  /**
   * Publishes 1..300 every 10 ms from another thread while the connection is dropped, then stalled
   * for 2 s, then stalled for 2 s again and dropped 0.5 s into it (losing what the stall held);
   * then 301 once the client is back. Returns what the client received, in the order received.
   */
  private List<Integer> deliveredThroughTrouble(boolean recovery) throws Exception {
    server = start(1000);
    proxy = new TcpProxy(server.port());
    int last = 301;
    AtomicInteger published = new AtomicInteger();
    Thread publisher = new Thread(() -> {
      for (int n = 1; n < last; n++) {
        publish(server, n);
        published.set(n);
        LockSupport.parkNanos(10_000_000);
      }
    }, "steady-publisher");
    try (NodeScripts node = echo(last, recovery)) {
      node.next("ready");
      publisher.start();
      awaitPublished(published, 30);
      proxy.cut();
      node.next("subscribed");
      proxy.stall(Duration.ofSeconds(2));
      awaitPublished(published, published.get() + 50);
      proxy.stall(Duration.ofSeconds(2));
      awaitPublished(published, published.get() + 50);
      proxy.cut();
      node.next("subscribed");
      publisher.join();
      publish(server, last);
      List<Integer> received = new ArrayList<>();
      node.next("done").get("received").forEach(n -> received.add(n.asInt()));
      return received;
    }
  }

  private static void awaitPublished(AtomicInteger published, int n) {
    while (published.get() < n) {
      LockSupport.parkNanos(1_000_000);
    }
  }

  @Test
  void everyEventArrivesOnceInOrderAcrossDropsAndStalls() throws Exception {
    List<Integer> delivered = deliveredThroughTrouble(true);
    assertThat(delivered).containsExactlyElementsOf(IntStream.rangeClosed(1, 301).boxed().toList());
  }

  @Test
  void withoutThePluginTheSameTroubleLosesEvents() throws Exception {
    List<Integer> delivered = deliveredThroughTrouble(false);
    System.out.printf("Delivered without recovery: %d of 301 events%n", delivered.size());
    assertThat(delivered).isSorted().doesNotHaveDuplicates().hasSizeLessThan(301).endsWith(301);
  }

  @Test
  void aTrimmedGapIsReportedAndNothingOfItReplayed() throws Exception {
    server = start(5);
    proxy = new TcpProxy(server.port());
    try (NodeScripts node = echo(21, true)) {
      node.next("ready");
      proxy.outage(Duration.ofSeconds(1));
      for (int n = 1; n <= 20; n++) {
        publish(server, n);
      }
      JsonNode notRecovered = node.next("not_recovered");
      assertThat(notRecovered.get("reason").asText()).isEqualTo("trimmed");
      assertThat(notRecovered.get("offset").asInt()).isEqualTo(20);
      publish(server, 21);
      List<JsonNode> rest = node.rest();
      assertThat(events(rest)).containsExactly(21);
    }
  }

  @Test
  void aRestartedServerTellsTheClientRecoveryFailed() throws Exception {
    server = start(100);
    proxy = new TcpProxy(server.port());
    try (NodeScripts node = echo(4, true)) {
      node.next("ready");
      for (int n = 1; n <= 3; n++) {
        publish(server, n);
        assertThat(node.next("event").get("n").asInt()).isEqualTo(n);
      }
      restarted = start(100);
      publish(restarted, 1);
      proxy.target(restarted.port());
      server.close();
      server = null;
      JsonNode notRecovered = node.next("not_recovered");
      assertThat(notRecovered.get("reason").asText()).isEqualTo("epoch_changed");
      assertThat(node.next("channel_not_recovered").get("reason").asText()).isEqualTo("epoch_changed");
      publish(restarted, 4);
      assertThat(events(node.rest())).containsExactly(4);
    }
  }
}
