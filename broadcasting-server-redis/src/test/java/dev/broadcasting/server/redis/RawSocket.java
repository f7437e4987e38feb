package dev.broadcasting.server.redis;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A bare Pusher-protocol client on the JDK's WebSocket, for the tests that assert the exact frames a
 * node sends (pusher-js hides the fields it does not know). Every text frame is kept, in order.
 *
 * <pre>{@code
 * RawSocket socket = RawSocket.connect(cluster.port(0));
 * socket.subscribe("history-news", null);
 * JsonNode event = socket.next();
 * }</pre>
 */
final class RawSocket implements AutoCloseable {
  private final BlockingQueue<String> frames = new LinkedBlockingQueue<>();
  private final WebSocket webSocket;
  final String socketId;

  private RawSocket(int port) throws Exception {
    this.webSocket = HttpClient.newHttpClient().newWebSocketBuilder()
        .buildAsync(URI.create("ws://127.0.0.1:" + port + "/app/" + TestCluster.KEY + "?protocol=7"), new Listener())
        .get(10, TimeUnit.SECONDS);
    JsonNode established = next();
    this.socketId = TestCluster.JSON.readTree(established.get("data").asText()).get("socket_id").asText();
  }

  static RawSocket connect(int port) throws Exception {
    return new RawSocket(port);
  }

  /**
   * Sends {@code pusher:subscribe} for public {@code channel}, with {@code recovery} when not null,
   * and waits for subscription_succeeded; frames that came before it are dropped.
   */
  void subscribe(String channel, ObjectNode recovery) throws Exception {
    ObjectNode data = TestCluster.JSON.createObjectNode().put("channel", channel);
    if (recovery != null) {
      data.set("recovery", recovery);
    }
    ObjectNode root = TestCluster.JSON.createObjectNode().put("event", "pusher:subscribe");
    root.set("data", data);
    webSocket.sendText(TestCluster.JSON.writeValueAsString(root), true).get(10, TimeUnit.SECONDS);
    while (!next().path("event").asText().equals("pusher_internal:subscription_succeeded")) {
      // an event of another channel, or of this one sent before the subscription
    }
  }

  /** Sends {@code json} as it is. */
  void send(String json) throws Exception {
    webSocket.sendText(json, true).get(10, TimeUnit.SECONDS);
  }

  /** The next frame as received, or null when none comes within {@code millis}. */
  String poll(long millis) throws InterruptedException {
    return frames.poll(millis, TimeUnit.MILLISECONDS);
  }

  /** The next frame as received, waiting up to 10 s. */
  String nextText() throws InterruptedException {
    String frame = poll(10_000);
    if (frame == null) {
      throw new AssertionError("no frame within 10 s");
    }
    return frame;
  }

  JsonNode next() throws Exception {
    return TestCluster.JSON.readTree(nextText());
  }

  @Override
  public void close() {
    webSocket.abort();
  }

  private final class Listener implements WebSocket.Listener {
    private final StringBuilder partial = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        frames.add(partial.toString());
        partial.setLength(0);
      }
      socket.request(1);
      return null;
    }
  }
}
