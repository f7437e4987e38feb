package dev.broadcasting.micrometer;

import dev.broadcasting.BroadcastListener;
import dev.broadcasting.Broadcaster;
import dev.broadcasting.spi.BroadcastDriver;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.observation.DefaultMeterObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Meters and observations for a {@link Broadcaster}, with or without Spring: wrap each driver,
 * install the listener, bind the broadcaster.
 *
 * <pre>{@code
 * BroadcastObservability observability = BroadcastObservability.create(meterRegistry, observationRegistry);
 * Broadcaster broadcaster = Broadcaster.builder()
 *     .connection("pusher", observability.observe("pusher", "pusher", pusherDriver))
 *     .listener(observability.listener())
 *     .build();
 * observability.bindTo(broadcaster);
 * }</pre>
 *
 * <p>Meters, named by Micrometer's conventions and tagged {@code connection} and {@code driver}:
 * <ul>
 *   <li>{@value #PUBLISH}: an observation of each driver call, so a timer (tag {@code outcome}:
 *       success or failure) wherever the observation registry has a meter handler, and a span
 *       wherever it has a tracing handler, child of the caller's span even across the queue;
 *   <li>{@value #DELIVERY}: a timer from {@code broadcast()} to the driver's acceptance;
 *   <li>{@value #QUEUE_DEPTH}: a gauge of the events queued or in flight;
 *   <li>{@value #RETRIES}: a counter of attempts tried again;
 *   <li>{@value #FAILURES}: a counter of events not delivered, tag {@code reason}: failed or rejected.
 * </ul>
 */
public final class BroadcastObservability {
  public static final String PUBLISH = "broadcasting.publish";
  public static final String DELIVERY = "broadcasting.delivery";
  public static final String QUEUE_DEPTH = "broadcasting.queue.depth";
  public static final String RETRIES = "broadcasting.retries";
  public static final String FAILURES = "broadcasting.failures";

  private final MeterRegistry meters;
  private final ObservationRegistry observations;
  private final Map<String, String> driverNames = new ConcurrentHashMap<>();
  private final BroadcastMetrics metrics;

  private BroadcastObservability(MeterRegistry meters, ObservationRegistry observations) {
    this.meters = Objects.requireNonNull(meters, "meters");
    this.observations = Objects.requireNonNull(observations, "observations");
    this.metrics = new BroadcastMetrics(meters, observations, driverNames);
  }

  /**
   * Observations go to {@code observations}: the {@value #PUBLISH} timer appears only when that
   * registry has a meter handler (Spring Boot's actuator adds one).
   */
  public static BroadcastObservability create(MeterRegistry meters, ObservationRegistry observations) {
    return new BroadcastObservability(meters, observations);
  }

  /** Observations go to a registry of their own that times them in {@code meters}; no tracing. */
  public static BroadcastObservability create(MeterRegistry meters) {
    ObservationRegistry observations = ObservationRegistry.create();
    observations.observationConfig().observationHandler(new DefaultMeterObservationHandler(meters));
    return new BroadcastObservability(meters, observations);
  }

  /** {@code driver}, observed as the connection {@code connection} served by the driver named {@code driverName}. */
  public BroadcastDriver observe(String connection, String driverName, BroadcastDriver driver) {
    Objects.requireNonNull(connection, "connection");
    Objects.requireNonNull(driverName, "driverName");
    Objects.requireNonNull(driver, "driver");
    String previous = driverNames.putIfAbsent(connection, driverName);
    if (previous != null) {
      throw new IllegalStateException("connection '" + connection + "' is already observed (driver '" + previous
          + "'); observe each connection once");
    }
    return new ObservedBroadcastDriver(driver, connection, driverName, observations, metrics);
  }

  /** The listener to add with {@code Broadcaster.Builder.listener(...)}, beside any others. */
  public BroadcastListener listener() {
    return metrics;
  }

  /** Registers the {@value #QUEUE_DEPTH} gauge of {@code broadcaster}, held weakly. */
  public BroadcastObservability bindTo(Broadcaster broadcaster) {
    Gauge.builder(QUEUE_DEPTH, broadcaster, Broadcaster::queueDepth)
        .description("Events queued or in flight, not yet delivered or failed")
        .register(meters);
    return this;
  }

  /** What the deliveries so far say about {@code connection}. */
  public ConnectionStatus status(String connection) {
    return metrics.status(connection);
  }

  public ObservationRegistry observationRegistry() {
    return observations;
  }
}
