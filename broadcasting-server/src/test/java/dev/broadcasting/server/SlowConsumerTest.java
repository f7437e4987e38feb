package dev.broadcasting.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.broadcasting.Channel;
import dev.broadcasting.spi.BroadcastDriver;
import dev.broadcasting.spi.BroadcastMessage;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A client that stops reading is closed once its outbound buffer is full; the others get everything. */
class SlowConsumerTest {

  @Test
  void closesTheSocketThatStopsReadingAndKeepsServingTheOthers() throws Exception {
    try (BroadcastServer server = BroadcastServer.builder().host("127.0.0.1").port(0)
        .maxOutboundBufferSize(64 * 1024)
        .app(App.builder("1", "key-1", "secret-1").maxEventPayloadBytes(32 * 1024).build()).build().start();
        RawClient stalled = RawClient.connect(server.port(), "/app/key-1?protocol=7");
        WsClient fast = WsClient.established(server.port(), "key-1")) {
      stalled.sendAll("{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":\"feed\"}}");
      fast.subscribe("feed", null, null);
      fast.next("pusher_internal:subscription_succeeded");
      ConnectionTest.awaitSubscribers(server, "feed", 2);

      BroadcastDriver driver = server.driver("1");
      String payload = "{\"fill\":\"" + "x".repeat(16 * 1024) + "\",\"seq\":%d}";
      int count = 600; // 9.6 MB: more than the kernel buffers of a loopback socket (tcp_wmem max 4 MB)
      // Paced by the fast reader, so only the stalled socket falls behind.
      for (int i = 0; i < count; i++) {
        driver.publish(BroadcastMessage.of("Tick", List.of(new Channel("feed")), payload.formatted(i))).join();
        JsonNode tick = fast.next("Tick");
        assertThat(WsClient.JSON.readTree(tick.get("data").asText()).get("seq").asInt()).isEqualTo(i);
      }
      ConnectionTest.awaitConnections(server, "1", 1);
      assertThat(fast.closeCode).isNotDone();
    }
  }
}
