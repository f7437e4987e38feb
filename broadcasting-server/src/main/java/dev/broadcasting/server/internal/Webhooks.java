package dev.broadcasting.server.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.broadcasting.pusher.protocol.PusherSigner;
import dev.broadcasting.server.App;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends webhooks as Pusher does: a JSON body {@code {"time_ms","events":[...]}} with
 * {@code X-Pusher-Key} and {@code X-Pusher-Signature} (hex HMAC-SHA256 of the body under the app
 * secret). Everything, from signing to sending, happens on the webhook thread and the HTTP client's
 * threads, never on an event loop (creating an HttpClient alone can take seconds on a cold JVM). A
 * failed delivery (an I/O error or a non-2xx answer) is tried again after 1 s and 4 s, then logged
 * and dropped.
 */
public final class Webhooks implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Webhooks.class);
  private static final int ATTEMPTS = 3;

  private final ScheduledThreadPoolExecutor thread = new ScheduledThreadPoolExecutor(1, r -> {
    Thread webhooks = new Thread(r, "broadcast-server-webhooks");
    webhooks.setDaemon(true);
    return webhooks;
  });

  public Webhooks() {
    thread.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
  }
  private HttpClient client;
  private volatile boolean closed;

  /** Creates the HTTP client ahead of the first webhook, on the webhook thread. */
  public void prepare() {
    thread.execute(this::client);
  }

  /** Queues {@code event} for every webhook URL of {@code app}; returns at once. */
  void send(App app, PusherSigner signer, ObjectNode event) {
    if (closed) {
      return;
    }
    long timeMs = System.currentTimeMillis();
    try {
      thread.execute(() -> sendNow(app, signer, event, timeMs));
    } catch (java.util.concurrent.RejectedExecutionException e) {
      log.debug("Webhook {} dropped: the server is closing", event.get("name"));
    }
  }

  private void sendNow(App app, PusherSigner signer, ObjectNode event, long timeMs) {
    ObjectNode body = Json.object().put("time_ms", timeMs);
    body.putArray("events").add(event);
    byte[] bytes = Json.bytes(body);
    String signature = signer.webhookSignature(bytes);
    for (URI url : app.webhooks()) {
      HttpRequest request = HttpRequest.newBuilder(url)
          .timeout(Duration.ofSeconds(10))
          .header("Content-Type", "application/json")
          .header("X-Pusher-Key", app.key())
          .header("X-Pusher-Signature", signature)
          .POST(HttpRequest.BodyPublishers.ofByteArray(bytes))
          .build();
      attempt(request, event.get("name").asText(), 1);
    }
  }

  private void attempt(HttpRequest request, String name, int attempt) {
    client().sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((response, error) -> {
      if (error == null && response.statusCode() / 100 == 2) {
        return;
      }
      String why = error != null ? error.toString() : "HTTP " + response.statusCode();
      if (attempt >= ATTEMPTS || closed) {
        log.warn("Webhook {} to {} failed after {} attempts ({}); dropped", name, request.uri(), attempt, why);
        return;
      }
      log.debug("Webhook {} to {} failed ({}); retrying", name, request.uri(), why);
      long delaySeconds = attempt == 1 ? 1 : 4;
      try {
        thread.schedule(() -> attempt(request, name, attempt + 1), delaySeconds, TimeUnit.SECONDS);
      } catch (java.util.concurrent.RejectedExecutionException e) {
        log.warn("Webhook {} to {} dropped: the server is closing", name, request.uri());
      }
    });
  }

  /** Only called on the webhook thread. */
  private HttpClient client() {
    if (client == null) {
      client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }
    return client;
  }

  /** Lets webhooks already queued start within two seconds, then stops retrying. */
  @Override
  public void close() {
    closed = true;
    thread.shutdown();
    try {
      thread.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    thread.shutdownNow();
  }
}
