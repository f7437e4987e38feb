package dev.broadcasting.micrometer;

import dev.broadcasting.BroadcastEvent;
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

/**
 * The one place that listens to the dispatcher: counts retries and failures, times delivery,
 * keeps each connection's last outcome for health checks, and carries the caller's observation
 * from {@code broadcast()} across the queue to the driver call.
 *
 * <p>Carrying: {@code onQueued} runs on the caller's thread, where the caller's observation is
 * current, and sees the application's view of the event; the driver later gets the message. The
 * view's {@link BroadcastEvent#id()} is the message's {@link BroadcastMessage#id()}, so that id,
 * with the connection, is the key. Without a match (or with a
 * {@code callbackExecutor}, which moves {@code onQueued} off the caller's thread) the publish
 * observation has no parent but the one current where the driver is called.
 */
final class BroadcastMetrics implements BroadcastListener {
  /** Observations carried across the queue at most; beyond it an event's publish span starts a new trace. */
  static final int MAX_CARRIED = 100_000;

  private final MeterRegistry meters;
  private final ObservationRegistry observations;
  private final Map<String, String> driverNames;
  private final Map<Carried, Observation> carried = new ConcurrentHashMap<>();
  private final Map<String, ConnectionStatus.Recorder> statuses = new ConcurrentHashMap<>();

  BroadcastMetrics(MeterRegistry meters, ObservationRegistry observations, Map<String, String> driverNames) {
    this.meters = meters;
    this.observations = observations;
    this.driverNames = driverNames;
  }

  @Override
  public void onQueued(BroadcastEvent event, String connection, int queueDepth) {
    Observation current = observations.getCurrentObservation();
    if (current != null && carried.size() < MAX_CARRIED) {
      carried.put(new Carried(event.id(), connection), current);
    }
  }

  @Override
  public void onSent(BroadcastEvent event, String connection, int attempts, long latencyNanos) {
    carried.remove(new Carried(event.id(), connection));
    Timer.builder(BroadcastObservability.DELIVERY)
        .description("Time from broadcast() to the driver's acceptance, queue and retries included")
        .tags("connection", connection, "driver", driverName(connection))
        .register(meters)
        .record(latencyNanos, TimeUnit.NANOSECONDS);
    recorder(connection).sent();
  }

  @Override
  public void onRetry(BroadcastEvent event, String connection, int attempt, Duration delay, Throwable cause) {
    Counter.builder(BroadcastObservability.RETRIES)
        .description("Attempts that failed with a retryable error and were tried again")
        .tags("connection", connection, "driver", driverName(connection))
        .register(meters)
        .increment();
  }

  @Override
  public void onFailed(FailedBroadcast failure) {
    failed(failure, "failed");
  }

  @Override
  public void onRejected(FailedBroadcast failure) {
    failed(failure, "rejected");
  }

  private void failed(FailedBroadcast failure, String reason) {
    carried.remove(new Carried(failure.event().id(), failure.connection()));
    Counter.builder(BroadcastObservability.FAILURES)
        .description("Events that will not be delivered: failed after their last attempt, or rejected at intake")
        .tags("connection", failure.connection(), "driver", driverName(failure.connection()), "reason", reason)
        .register(meters)
        .increment();
    recorder(failure.connection()).failed(failure.cause().getMessage());
  }

  /** The observation current where the event was queued, or null when there was none or it was sent at once. */
  Observation callerObservation(BroadcastMessage message, String connection) {
    return carried.get(new Carried(message.id(), connection));
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

  /** One event on one connection. */
  private record Carried(String id, String connection) {}
}
