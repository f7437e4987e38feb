package dev.broadcasting.server.internal;

import dev.broadcasting.pusher.protocol.PusherSigner;
import dev.broadcasting.server.App;
import dev.broadcasting.server.WebhookPolicy;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.SslContext;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The webhooks of one app to one URL, sent as Pusher sends them: events wait up to the batch
 * window and go out together in one signed body {@code {"time_ms","events":[...]}}; at most
 * {@code concurrency} requests are in flight, each on its own kept-alive connection; a failed
 * request (I/O error, timeout or non-2xx) is retried after 1, 2, 4 ... 60 s until
 * {@code retryFor} has passed; and the events waiting are bounded in bytes, the oldest dropped
 * first. Every drop is counted and logged at most once a minute.
 */
final class WebhookSender {
  private static final Logger log = LoggerFactory.getLogger(WebhookSender.class);
  private static final long FIRST_RETRY_NANOS = TimeUnit.SECONDS.toNanos(1);
  private static final long LONGEST_RETRY_NANOS = TimeUnit.SECONDS.toNanos(60);
  private static final long DROP_REPORT_NANOS = TimeUnit.MINUTES.toNanos(1);

  private record Event(byte[] json, long queuedAtNanos) {}

  /** One request's events, its body fixed at the first attempt so that every retry is the same request. */
  private static final class Batch {
    final byte[] body;
    final String signature;
    final int events;
    final long firstAttemptNanos;
    final long sequence;
    int attempts;
    boolean waitingForRetry;
    /** Given up to make room while its request was in flight: its answer no longer counts. */
    boolean dropped;

    Batch(byte[] body, String signature, int events, long firstAttemptNanos, long sequence) {
      this.sequence = sequence;
      this.body = body;
      this.signature = signature;
      this.events = events;
      this.firstAttemptNanos = firstAttemptNanos;
    }
  }

  private final App app;
  private final URI url;
  /** The URL for log lines: without the user info or query, which may hold credentials. */
  private final String shownUrl;
  private boolean closed;
  private final PusherSigner signer;
  private final WebhookPolicy policy;
  private final WebhookClock clock;
  private final EventLoop loop;
  private final WebhookConnection[] connections;
  private final Batch[] slots;
  private final ArrayDeque<Event> waiting = new ArrayDeque<>();
  private long waitingBytes;
  /** Cancels the timer of the current batch window, or null when none is set. */
  private Runnable windowTimer;
  private long batchesMade;
  private long sent;
  private long dropped;
  private long droppedSinceReport;
  private long lastReportNanos;
  private String lastDropReason;
  private volatile ServerEvents events = ServerEvents.NONE;

  WebhookSender(App app, URI url, PusherSigner signer, WebhookClock clock, EventLoop loop, SslContext ssl,
      long idleMillis) {
    this.app = app;
    this.url = url;
    this.shownUrl = url.getScheme() + "://" + url.getHost() + (url.getPort() > 0 ? ":" + url.getPort() : "")
        + (url.getRawPath() == null ? "" : url.getRawPath());
    this.signer = signer;
    this.policy = app.webhookPolicy();
    this.clock = clock;
    this.loop = loop;
    this.connections = new WebhookConnection[policy.concurrency()];
    this.slots = new Batch[policy.concurrency()];
    for (int i = 0; i < connections.length; i++) {
      connections[i] = new WebhookConnection(loop, url, ssl, idleMillis);
    }
    this.lastReportNanos = clock.nanoTime() - DROP_REPORT_NANOS;
  }

  /** Queues one event (its JSON); returns at once, from any thread. */
  synchronized void enqueue(byte[] json) {
    if (closed) {
      log.debug("Webhook event of app {} to {} not sent: the server has stopped", app.id(), shownUrl);
      return;
    }
    waiting.add(new Event(json, clock.nanoTime()));
    waitingBytes += json.length;
    while (backlogBytes() > policy.backlogBytes() && dropOldest()) {
      // dropped one; check again
    }
    pump(false);
  }

  /** Sends every waiting event now, without waiting for the window: for the server's shutdown. */
  synchronized void flush() {
    pump(true);
  }

  synchronized boolean idle() {
    for (Batch slot : slots) {
      if (slot != null) {
        return false;
      }
    }
    return waiting.isEmpty();
  }

  void events(ServerEvents listener) {
    this.events = listener;
  }

  /** Events waiting or in a request not yet answered 2xx: what a receiver that is down has not had. */
  synchronized int backlogEvents() {
    int count = waiting.size();
    for (Batch slot : slots) {
      count += slot == null || slot.dropped ? 0 : slot.events;
    }
    return count;
  }

  synchronized long sentEvents() {
    return sent;
  }

  synchronized long droppedEvents() {
    return dropped;
  }

  /** Connections open to the URL right now (read on the webhook thread, so approximately). */
  int openConnections() {
    int open = 0;
    for (WebhookConnection connection : connections) {
      open += connection.isOpen() ? 1 : 0;
    }
    return open;
  }

  void close() {
    synchronized (this) {
      closed = true;
    }
    for (WebhookConnection connection : connections) {
      loop.execute(connection::close);
    }
  }

  private void pump(boolean now) {
    while (!waiting.isEmpty()) {
      int slot = freeSlot();
      if (slot < 0) {
        return;
      }
      long waited = clock.nanoTime() - waiting.peek().queuedAtNanos();
      if (!now && waiting.size() < policy.batchEvents() && waited < policy.batchWindow().toNanos()) {
        if (windowTimer == null) {
          windowTimer = clock.schedule(this::windowEnded, policy.batchWindow().toNanos() - waited);
        }
        return;
      }
      if (windowTimer != null) {
        // the batch goes now: a window for the events after it starts with the oldest of them
        windowTimer.run();
        windowTimer = null;
      }
      slots[slot] = nextBatch();
      attempt(slot, slots[slot]);
    }
  }

  private int freeSlot() {
    for (int i = 0; i < slots.length; i++) {
      if (slots[i] == null) {
        return i;
      }
    }
    return -1;
  }

  private synchronized void windowEnded() {
    windowTimer = null;
    pump(false);
  }

  private Batch nextBatch() {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes(("{\"time_ms\":" + System.currentTimeMillis() + ",\"events\":[").getBytes(StandardCharsets.UTF_8));
    int events = 0;
    while (events < policy.batchEvents() && !waiting.isEmpty()) {
      Event event = waiting.poll();
      waitingBytes -= event.json().length;
      if (events++ > 0) {
        body.write(',');
      }
      body.writeBytes(event.json());
    }
    body.writeBytes("]}".getBytes(StandardCharsets.UTF_8));
    byte[] bytes = body.toByteArray();
    return new Batch(bytes, signer.webhookSignature(bytes), events, clock.nanoTime(), batchesMade++);
  }

  private void attempt(int slot, Batch batch) {
    batch.attempts++;
    batch.waitingForRetry = false;
    FullHttpRequest request = request(batch);
    try {
      loop.execute(() -> connections[slot].post(request).whenComplete((status, error) -> {
        if (error == null && status / 100 == 2) {
          delivered(slot, batch);
        } else {
          failed(slot, batch, error != null ? String.valueOf(error.getMessage()) : "HTTP " + status);
        }
      }));
    } catch (RejectedExecutionException stopped) {
      request.release();
      log.debug("Webhook request of app {} to {} not sent: the server has stopped", app.id(), shownUrl);
    }
  }

  private synchronized void delivered(int slot, Batch batch) {
    if (slots[slot] == batch) {
      slots[slot] = null;
      sent += batch.dropped ? 0 : batch.events;
      events.webhookSent(shownUrl, batch.events);
    }
    pump(false);
  }

  private synchronized void failed(int slot, Batch batch, String why) {
    if (slots[slot] != batch) {
      return;
    }
    if (batch.dropped) {
      slots[slot] = null;
      pump(false);
      return;
    }
    long delay = Math.min(LONGEST_RETRY_NANOS, FIRST_RETRY_NANOS << Math.min(batch.attempts - 1, 20));
    long elapsed = clock.nanoTime() - batch.firstAttemptNanos;
    if (elapsed + delay > policy.retryFor().toNanos()) {
      slots[slot] = null;
      drop(batch.events, "the URL failed for " + TimeUnit.NANOSECONDS.toSeconds(elapsed) + " s (" + why + ")");
      events.webhookFailed(shownUrl, batch.events, why + "; given up after " + batch.attempts + " attempts");
      pump(false);
      return;
    }
    log.debug("Webhook request to {} of app {} failed ({}); attempt {} in {} ms", shownUrl, app.id(), why,
        batch.attempts + 1, TimeUnit.NANOSECONDS.toMillis(delay));
    batch.waitingForRetry = true;
    events.webhookFailed(shownUrl, batch.events, why + "; attempt " + (batch.attempts + 1) + " in "
        + TimeUnit.NANOSECONDS.toMillis(delay) + " ms");
    clock.schedule(() -> retry(slot, batch), delay);
  }

  private synchronized void retry(int slot, Batch batch) {
    if (slots[slot] == batch) {
      attempt(slot, batch);
    }
  }

  private long backlogBytes() {
    long bytes = waitingBytes;
    for (Batch slot : slots) {
      bytes += slot == null || slot.dropped ? 0 : slot.body.length;
    }
    return bytes;
  }

  /**
   * Drops the oldest events: the oldest batch already taken (one in flight keeps its connection
   * until its answer, which then no longer counts), else the oldest waiting event.
   */
  private boolean dropOldest() {
    int oldest = -1;
    for (int i = 0; i < slots.length; i++) {
      if (slots[i] != null && !slots[i].dropped
          && (oldest < 0 || slots[i].sequence < slots[oldest].sequence)) {
        oldest = i;
      }
    }
    if (oldest >= 0) {
      Batch batch = slots[oldest];
      batch.dropped = true;
      if (batch.waitingForRetry) {
        slots[oldest] = null;
      }
      drop(batch.events, "more than " + policy.backlogBytes() + " bytes of webhooks were waiting");
      return true;
    }
    Event event = waiting.poll();
    if (event == null) {
      return false;
    }
    waitingBytes -= event.json().length;
    drop(1, "more than " + policy.backlogBytes() + " bytes of webhooks were waiting");
    return true;
  }

  private void drop(int events, String why) {
    dropped += events;
    droppedSinceReport += events;
    lastDropReason = why;
    long now = clock.nanoTime();
    if (now - lastReportNanos >= DROP_REPORT_NANOS) {
      log.error("Dropped {} webhook events of app {} to {} ({} in all): {}", droppedSinceReport, app.id(), shownUrl,
          dropped, lastDropReason);
      droppedSinceReport = 0;
      lastReportNanos = now;
    }
  }

  private FullHttpRequest request(Batch batch) {
    ByteBuf content = Unpooled.wrappedBuffer(batch.body);
    String target = (url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath())
        + (url.getRawQuery() == null ? "" : "?" + url.getRawQuery());
    FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, target, content);
    request.headers()
        .set(HttpHeaderNames.HOST, url.getPort() > 0 ? url.getHost() + ":" + url.getPort() : url.getHost())
        .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
        .set(HttpHeaderNames.CONTENT_LENGTH, batch.body.length)
        .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE)
        .set("X-Pusher-Key", app.key())
        .set("X-Pusher-Signature", batch.signature);
    return request;
  }
}
