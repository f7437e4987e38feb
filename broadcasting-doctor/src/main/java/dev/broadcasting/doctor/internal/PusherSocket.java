package dev.broadcasting.doctor.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A Pusher-protocol client on the JDK's WebSocket, as small as the doctor needs: connect, read
 * messages, subscribe. At most 256 unread messages are kept; later ones are dropped.
 */
public final class PusherSocket implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** What the queue holds when the server closed the socket: the close code and reason. */
  private static final String CLOSED = "\u0000closed:";

  private final BlockingQueue<String> messages = new ArrayBlockingQueue<>(256);
  private final WebSocket socket;

  private PusherSocket(HttpClient http, URI uri, Duration timeout) throws Exception {
    this.socket = http.newWebSocketBuilder().connectTimeout(timeout)
        .buildAsync(uri, new Listener()).get(timeout.toMillis() * 2, TimeUnit.MILLISECONDS);
  }

  /** Opens the socket; throws what the JDK threw when the handshake fails. */
  public static PusherSocket open(HttpClient http, URI uri, Duration timeout) throws Exception {
    return new PusherSocket(http, uri, timeout);
  }

  /**
   * The next message that matches, as JSON; a close frame is returned as
   * {@code {"event":"doctor:closed","code":...,"reason":...}}. Null when none came in time.
   */
  public JsonNode await(Predicate<JsonNode> wanted, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      String text = messages.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
      if (text == null) {
        return null;
      }
      if (text.startsWith(CLOSED)) {
        String[] parts = text.substring(CLOSED.length()).split(":", 2);
        return JSON.createObjectNode().put("event", "doctor:closed").put("code", Integer.parseInt(parts[0]))
            .put("reason", parts[1]);
      }
      JsonNode message = JSON.readTree(text);
      if (wanted.test(message)) {
        return message;
      }
    }
  }

  /** Subscribes to a public channel and waits for {@code pusher_internal:subscription_succeeded}. */
  public boolean subscribe(String channel, Duration timeout) throws Exception {
    socket.sendText(JSON.createObjectNode().put("event", "pusher:subscribe")
        .set("data", JSON.createObjectNode().put("channel", channel)).toString(), true).get(timeout.toMillis(),
        TimeUnit.MILLISECONDS);
    JsonNode answer = await(m -> channel.equals(m.path("channel").asText())
        || m.path("event").asText().startsWith("pusher:error"), timeout);
    return answer != null && "pusher_internal:subscription_succeeded".equals(answer.path("event").asText());
  }

  /** The event's {@code data}, parsed when it is a JSON string, as pusher-js does. */
  public static JsonNode data(JsonNode message) {
    JsonNode data = message.path("data");
    if (data.isTextual()) {
      try {
        return JSON.readTree(data.asText());
      } catch (Exception e) {
        return data;
      }
    }
    return data;
  }

  @Override
  public void close() {
    socket.abort();
  }

  private final class Listener implements WebSocket.Listener {
    private final StringBuilder partial = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        messages.offer(partial.toString());
        partial.setLength(0);
      }
      webSocket.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
      messages.offer(CLOSED + statusCode + ":" + reason);
      return null;
    }
  }
}
