package dev.broadcasting.micrometer;

import dev.broadcasting.BroadcastListener;
import dev.broadcasting.FailedBroadcast;
import dev.broadcasting.spi.BroadcastMessage;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place that listens to the dispatcher: counts retries and failures, times delivery,
 * keeps each connection's last outcome for health checks, and carries the caller's observation
 * from {@code broadcast()} across the queue to the driver call. The broadcaster takes one
 * listener, so this one passes each callback on to the application's, if it has one; whatever
 * that throws is logged and swallowed, so it cannot break the dispatcher.
 */
final class BroadcastMetrics implements BroadcastListener {
  private static final Logger log = LoggerFactory.getLogger(BroadcastMetrics.class);
  /** Observations carried across the queue at most; beyond it an event's publish span starts a new trace. */
  static final int MAX_CARRIED = 100_000;

  private final MeterRegistry meters;
  private final ObservationRegistry observations;
  private final Map<String, String> driverNames;
  private final Map<String, Observation> carried = new ConcurrentHashMap<>();
  private final Map<String, ConnectionStatus.Recorder> statuses = new ConcurrentHashMap<>();
  private volatile BroadcastListener next;

  BroadcastMetrics(MeterRegistry meters, ObservationRegistry observations, Map<String, String> driverNames) {
    this.meters = meters;
    this.observations = observations;
    this.driverNames = driverNames;
  }

  @Override
  public void onQueued(BroadcastMessage message, String connection, int queueDepth) {
    Observation current = observations.getCurrentObservation();
    if (current != null && carried.size() < MAX_CARRIED) {
      carried.put(key(message, connection), current);
    }
    BroadcastListener then = next;
    if (then != null) {
      guard(() -> then.onQueued(message, connection, queueDepth));
    }
  }

  @Override
  public void onSent(BroadcastMessage message, String connection, int attempts, long latencyNanos) {
    carried.remove(key(message, connection));
    Timer.builder(BroadcastObservability.DELIVERY)
        .description("Time from broadcast() to the driver's acceptance, queue and retries included")
        .tags("connection", connection, "driver", driverName(connection))
        .register(meters)
        .record(latencyNanos, TimeUnit.NANOSECONDS);
    recorder(connection).sent();
    BroadcastListener then = next;
    if (then != null) {
      guard(() -> then.onSent(message, connection, attempts, latencyNanos));
    }
  }

  @Override
  public void onRetry(BroadcastMessage message, String connection, int attempt, Duration delay, Throwable cause) {
    Counter.builder(BroadcastObservability.RETRIES)
        .description("Attempts that failed with a retryable error and were tried again")
        .tags("connection", connection, "driver", driverName(connection))
        .register(meters)
        .increment();
    BroadcastListener then = next;
    if (then != null) {
      guard(() -> then.onRetry(message, connection, attempt, delay, cause));
    }
  }

  @Override
  public void onFailed(FailedBroadcast failure) {
    failed(failure, "failed");
    BroadcastListener then = next;
    if (then != null) {
      guard(() -> then.onFailed(failure));
    }
  }

  @Override
  public void onRejected(FailedBroadcast failure) {
    failed(failure, "rejected");
    BroadcastListener then = next;
    if (then != null) {
      guard(() -> then.onRejected(failure));
    }
  }

  /** Passes every callback on to {@code listener} too; once. */
  void passOnTo(BroadcastListener listener) {
    synchronized (this) {
      if (next != null) {
        throw new IllegalStateException("the listener already passes its callbacks on to " + next);
      }
      next = listener;
    }
  }

  private static void guard(Runnable callback) {
    try {
      callback.run();
    } catch (RuntimeException e) {
      log.warn("A broadcast listener threw; the broadcast goes on", e);
    }
  }

  private void failed(FailedBroadcast failure, String reason) {
    carried.remove(key(failure.message(), failure.connection()));
    Counter.builder(BroadcastObservability.FAILURES)
        .description("Events that will not be delivered: failed after their last attempt, or rejected at intake")
        .tags("connection", failure.connection(), "driver", driverName(failure.connection()), "reason", reason)
        .register(meters)
        .increment();
    recorder(failure.connection()).failed(failure.cause().getMessage());
  }

  /** The observation current where the event was queued, or null when there was none or it was sent at once. */
  Observation callerObservation(BroadcastMessage message, String connection) {
    return carried.get(key(message, connection));
  }

  /** How many caller observations wait for their event to be sent. */
  int carriedCount() {
    return carried.size();
  }

  ConnectionStatus status(String connection) {
    ConnectionStatus.Recorder recorder = statuses.get(connection);
    return recorder == null ? ConnectionStatus.unused(connection, driverName(connection))
        : recorder.snapshot(connection, driverName(connection));
  }

  private ConnectionStatus.Recorder recorder(String connection) {
    return statuses.computeIfAbsent(connection, name -> new ConnectionStatus.Recorder());
  }

  private String driverName(String connection) {
    return driverNames.getOrDefault(connection, "unknown");
  }

  private static String key(BroadcastMessage message, String connection) {
    return connection + '\n' + message.id();
  }
}
