package dev.broadcasting.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.broadcasting.Channel;
import dev.broadcasting.spi.BroadcastMessage;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Load proof: 10,000 concurrent WebSocket connections on loopback, all subscribed to one channel,
 * and one event delivered to every one of them. Asserts counts only; the heap and time figures are
 * printed for the README's performance section. The clients run in a node process, so that the
 * server JVM holds 10,000 sockets and the client process the other 10,000 (the open-file limit
 * here is 20,000 per process).
 */
@Tag("integration")
class LoadTest {
  private static final int CONNECTIONS = 10_000;

  @Test
  void deliversOneEventToTenThousandConnections() throws Exception {
    // every client here comes from 127.0.0.1, 500 of them opening at once: lift the per-address limit
    try (BroadcastServer server = BroadcastServer.builder().host("127.0.0.1").port(0).maxOpeningConnectionsPerAddress(0)
        .app(App.builder("1", "load-key", "load-secret").build()).build().start()) {
      long heapBefore = usedHeapAfterGc();
      try (NodeScripts node = NodeScripts.startWithRaisedFileLimit(Map.of("PORT", Integer.toString(server.port()),
          "KEY", "load-key", "COUNT", Integer.toString(CONNECTIONS)), "load.mjs")) {
        JsonNode ready = node.next("ready", 150);
        assertThat(ready.get("subscribed").asInt()).isEqualTo(CONNECTIONS);
        assertThat(server.connectionCount("1")).isEqualTo(CONNECTIONS);
        assertThat(server.subscriptionCount("1", "load")).isEqualTo(CONNECTIONS);
        long heapWithConnections = usedHeapAfterGc();

        long start = System.nanoTime();
        server.driver("1").publish(BroadcastMessage.of("Load", List.of(new Channel("load")), "{\"n\":1}")).join();
        JsonNode received = node.next("received", 60);
        long deliveredMillis = (System.nanoTime() - start) / 1_000_000;
        assertThat(received.get("received").asInt()).isEqualTo(CONNECTIONS);
        assertThat(received.get("failed").asInt()).isZero();

        System.out.printf("LoadTest: %d connections subscribed in %d ms; server heap used %d MiB before, %d MiB with "
            + "them (%.1f KiB per connection); one event reached all of them %d ms after publish%n",
            CONNECTIONS, ready.get("millis").asLong(), heapBefore >> 20, heapWithConnections >> 20,
            (heapWithConnections - heapBefore) / 1024.0 / CONNECTIONS, deliveredMillis);
      }
    }
  }

  private static long usedHeapAfterGc() throws InterruptedException {
    System.gc();
    Thread.sleep(200);
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }
}
