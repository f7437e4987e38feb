package dev.broadcasting.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A raw Pusher-protocol client on the JDK's WebSocket, for tests that look at every message on the
 * wire. It records each JSON message it receives, with the {@code data} string left as sent.
 */
final class WsClient implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();
  /** One client for every test: creating a JDK HttpClient costs about two seconds on this machine. */
  static final HttpClient HTTP = HttpClient.newHttpClient();

  final BlockingQueue<JsonNode> received;
  final CompletableFuture<Integer> closeCode;
  private final WebSocket socket;
  private String socketId;

  private WsClient(WebSocket socket, Listener listener) {
    this.socket = socket;
    this.received = listener.received;
    this.closeCode = listener.closeCode;
  }

  static WsClient connect(int port, String path) throws Exception {
    return connect(port, path, null);
  }

  static WsClient connect(int port, String path, String origin) throws Exception {
    Listener listener = new Listener();
    WebSocket.Builder builder = HTTP.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5));
    if (origin != null) {
      builder.header("Origin", origin);
    }
    WebSocket socket = builder.buildAsync(URI.create("ws://127.0.0.1:" + port + path), listener).get(10, TimeUnit.SECONDS);
    return new WsClient(socket, listener);
  }

  /** Connects to {@code /app/key?protocol=7} and waits for {@code pusher:connection_established}. */
  static WsClient established(int port, String key) throws Exception {
    WsClient client = connect(port, "/app/" + key + "?protocol=7&client=java&version=1");
    JsonNode established = client.next("pusher:connection_established");
    client.socketId = JSON.readTree(established.get("data").asText()).get("socket_id").asText();
    return client;
  }

  String socketId() {
    return socketId;
  }

  void send(String json) {
    socket.sendText(json, true).join();
  }

  void subscribe(String channel, String auth, String channelData) throws Exception {
    var data = JSON.createObjectNode().put("channel", channel);
    if (auth != null) {
      data.put("auth", auth);
    }
    if (channelData != null) {
      data.put("channel_data", channelData);
    }
    var root = JSON.createObjectNode().put("event", "pusher:subscribe");
    root.set("data", data);
    send(JSON.writeValueAsString(root));
  }

  /** The next message with event {@code event}, skipping others; fails after 10 s. */
  JsonNode next(String event) throws InterruptedException {
    return next(message -> event.equals(message.path("event").asText()), event);
  }

  JsonNode next(Predicate<JsonNode> wanted, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      JsonNode message = received.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      if (message == null) {
        throw new AssertionError("No " + what + " within 10 s");
      }
      if (wanted.test(message)) {
        return message;
      }
    }
  }

  /** Everything received within {@code millis}: for asserting that nothing (more) arrives. */
  List<JsonNode> drain(long millis) throws InterruptedException {
    List<JsonNode> all = new ArrayList<>();
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    JsonNode message;
    while ((message = received.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) != null) {
      all.add(message);
    }
    return all;
  }

  int awaitClose() throws Exception {
    return closeCode.get(15, TimeUnit.SECONDS);
  }

  @Override
  public void close() {
    socket.abort();
  }

  private static final class Listener implements WebSocket.Listener {
    final BlockingQueue<JsonNode> received = new LinkedBlockingQueue<>();
    final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
    private final StringBuilder text = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      text.append(data);
      if (last) {
        String message = text.toString();
        text.setLength(0);
        try {
          received.add(JSON.readTree(message));
        } catch (Exception e) {
          throw new IllegalStateException("server sent a message that is not JSON: " + message, e);
        }
      }
      webSocket.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
      closeCode.complete(statusCode);
      return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
      closeCode.completeExceptionally(error);
    }
  }
}
