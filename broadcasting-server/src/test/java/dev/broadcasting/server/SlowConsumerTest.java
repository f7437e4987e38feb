package dev.broadcasting.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.broadcasting.Channel;
import dev.broadcasting.spi.BroadcastDriver;
import dev.broadcasting.spi.BroadcastMessage;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A client that stops reading is closed once its outbound buffer is full; the others get everything. */
class SlowConsumerTest {

  @Test
  void closesTheSocketThatStopsReadingAndKeepsServingTheOthers() throws Exception {
    try (BroadcastServer server = BroadcastServer.builder().host("127.0.0.1").port(0)
        .maxOutboundBufferSize(64 * 1024)
        .app(App.builder("1", "key-1", "secret-1").maxEventPayloadBytes(32 * 1024).build()).build().start();
        Socket stalled = new Socket();
        WsClient fast = WsClient.established(server.port(), "key-1")) {
      stalled.setReceiveBufferSize(4096);
      stalled.connect(new InetSocketAddress("127.0.0.1", server.port()));
      OutputStream out = stalled.getOutputStream();
      out.write(("GET /app/key-1?protocol=7 HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\n"
          + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      String answer = readHeaders(stalled.getInputStream());
      assertThat(answer).startsWith("HTTP/1.1 101");
      out.write(maskedText("{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":\"feed\"}}"));
      out.flush();
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

  /** Reads the handshake answer up to its blank line, and nothing after it. */
  private static String readHeaders(java.io.InputStream in) throws java.io.IOException {
    StringBuilder headers = new StringBuilder();
    while (!headers.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        break;
      }
      headers.append((char) b);
    }
    return headers.toString();
  }

  /** One client text frame, masked as RFC 6455 requires of clients (payloads under 126 bytes). */
  private static byte[] maskedText(String text) {
    byte[] payload = text.getBytes(StandardCharsets.UTF_8);
    byte[] mask = {1, 2, 3, 4};
    byte[] frame = new byte[6 + payload.length];
    frame[0] = (byte) 0x81;
    frame[1] = (byte) (0x80 | payload.length);
    System.arraycopy(mask, 0, frame, 2, 4);
    for (int i = 0; i < payload.length; i++) {
      frame[6 + i] = (byte) (payload[i] ^ mask[i % 4]);
    }
    return frame;
  }
}
