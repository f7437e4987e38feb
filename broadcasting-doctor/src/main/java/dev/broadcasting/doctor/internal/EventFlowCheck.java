package dev.broadcasting.doctor.internal;

import dev.broadcasting.BroadcastException;
import dev.broadcasting.Broadcaster;
import dev.broadcasting.Channel;
import dev.broadcasting.doctor.Check;
import dev.broadcasting.doctor.Finding;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

/**
 * Publishes a probe event through the broadcaster's queue, as the application publishes its own,
 * and waits for it on a probe subscription. When it does not come back, says where it stopped:
 * still queued (the queue is not draining), refused by the driver, or accepted but delivered
 * somewhere the page does not listen.
 */
public final class EventFlowCheck implements Check {
  static final String PROBE_EVENT = "BroadcastingDoctorProbe";

  private final Supplier<Broadcaster> broadcaster;
  private final boolean owned;
  private final RetryRecorder retries;
  private final Supplier<ProbeSubscription> subscription;
  private final Duration timeout;

  /**
   * @param owned whether the check closes the broadcaster when done (it built it), or leaves it
   * @param retries the retries seen by the broadcaster's listener, or null when the check cannot listen
   */
  public EventFlowCheck(Supplier<Broadcaster> broadcaster, boolean owned, RetryRecorder retries,
      Supplier<ProbeSubscription> subscription, Duration timeout) {
    this.broadcaster = broadcaster;
    this.owned = owned;
    this.retries = retries;
    this.subscription = subscription;
    this.timeout = timeout;
  }

  @Override
  public Finding run() {
    String channel = "broadcasting-doctor." + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
    String nonce = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
    try (ProbeSubscription probe = subscription.get()) {
      String name = "events " + PROBE_EVENT + " on " + channel + " through the queue to " + probe.describe();
      try {
        probe.subscribe(channel, timeout);
      } catch (Exception e) {
        return Finding.fail(name, "the probe subscription failed: "
            + Failures.describe(e, probe.endpoint(), timeout.toMillis()),
            "mend the websocket or driver line above first");
      }
      Broadcaster queue;
      try {
        queue = broadcaster.get();
      } catch (BroadcastException e) {
        return Finding.fail(name, "the broadcaster cannot be built: " + e.getMessage(),
            "mend the driver line above, or correct the setting named");
      }
      try {
        return deliver(name, queue, channel, nonce, probe);
      } finally {
        if (owned) {
          queue.close();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Finding.fail("events", "interrupted", "run the doctor again");
    } catch (Exception e) {
      return Finding.fail("events", e.toString(), "report this as a bug of the doctor");
    }
  }

  private Finding deliver(String name, Broadcaster queue, String channel, String nonce, ProbeSubscription probe)
      throws Exception {
    long started = System.nanoTime();
    CompletableFuture<Void> sent = queue.on(new Channel(channel)).as(PROBE_EVENT).with(Map.of("nonce", nonce)).send();
    // a refused probe ends the wait at once; a slice of 50 ms bounds how late that is seen
    long deadline = started + timeout.toNanos();
    for (long left = timeout.toNanos(); left > 0; left = deadline - System.nanoTime()) {
      if (probe.received(nonce, Duration.ofNanos(Math.min(left, 50_000_000L)))) {
        return Finding.ok(name, "the probe came back in " + (System.nanoTime() - started) / 1_000_000 + " ms");
      }
      if (sent.isCompletedExceptionally()) {
        break;
      }
    }
    if (!sent.isDone()) {
      Throwable retry = retries == null ? null : retries.last();
      return Finding.fail(name, "the probe is still queued after " + timeout.toMillis() + " ms (queue depth "
          + queue.queueDepth() + ")" + (retry == null ? ": the driver has not answered"
          : ", retrying after: " + Failures.unwrap(retry).getMessage()),
          "the queue is not draining: mend the driver and port lines above; a driver call that never returns "
              + "holds a dispatch thread until the broadcaster's attemptTimeout (30 s by default)");
    }
    if (sent.isCompletedExceptionally()) {
      Throwable cause = Failures.unwrap(sent.handle((ok, e) -> e).join());
      return Finding.fail(name, "the driver refused the probe: " + cause.getMessage(), "mend the driver line above");
    }
    return Finding.fail(name, "the driver accepted the probe, but it did not arrive within " + timeout.toMillis()
        + " ms", "the application publishes to another server, app or prefix than the page listens to: compare "
        + "PUSHER_HOST, PUSHER_PORT and PUSHER_APP_ID with the page's VITE_PUSHER_* (redis: REDIS_PREFIX)");
  }
}
