package dev.broadcasting.micrometer;

import dev.broadcasting.spi.BroadcastDriver;
import dev.broadcasting.spi.BroadcastMessage;
import dev.broadcasting.spi.Cancellation;
import dev.broadcasting.spi.ChannelAuthSigner;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/**
 * A driver whose every call is a {@code broadcasting.publish} observation, the child of the
 * observation that was current where {@code broadcast()} was called, even when the call happens
 * later on a dispatch thread. The observation is in scope while the driver runs, so the driver's
 * own instrumented calls (an HTTP client, a Redis client) nest under it.
 */
final class ObservedBroadcastDriver implements BroadcastDriver {
  private final BroadcastDriver delegate;
  private final String connection;
  private final String driverName;
  private final ObservationRegistry registry;
  private final BroadcastMetrics metrics;

  ObservedBroadcastDriver(BroadcastDriver delegate, String connection, String driverName,
      ObservationRegistry registry, BroadcastMetrics metrics) {
    this.delegate = delegate;
    this.connection = connection;
    this.driverName = driverName;
    this.registry = registry;
    this.metrics = metrics;
  }

  @Override
  public CompletableFuture<Void> publish(BroadcastMessage message) {
    return observe(message, 1, () -> delegate.publish(message));
  }

  @Override
  public CompletableFuture<Void> publishAll(List<BroadcastMessage> messages) {
    return observe(messages.get(0), messages.size(), () -> delegate.publishAll(messages));
  }

  private CompletableFuture<Void> observe(BroadcastMessage first, int count, Supplier<CompletableFuture<Void>> call) {
    Observation parent = metrics.callerObservation(first, connection);
    Observation observation = Observation.createNotStarted(BroadcastObservability.PUBLISH,
            () -> new PublishContext(connection, driverName, first.event(), count), registry)
        .contextualName("broadcast " + first.event())
        .lowCardinalityKeyValue("connection", connection)
        .lowCardinalityKeyValue("driver", driverName)
        .highCardinalityKeyValue("event", first.event())
        .parentObservation(parent != null ? parent : registry.getCurrentObservation())
        .start();
    CompletableFuture<Void> sent;
    try {
      sent = observation.scoped(call);
    } catch (RuntimeException | Error e) {
      stop(observation, e);
      throw e;
    }
    if (sent == null) {
      // a driver bug that core reports in its own words; the observation ends with it
      stop(observation, new IllegalStateException(driverName + " driver returned no future"));
      return null;
    }
    // The observation stops when the driver's request ends, however it ends; the caller's future
    // completes after that, so the timer is recorded first. Core cancels the future it is given on
    // timeout and close: the cancel must reach the driver's own request.
    CompletableFuture<Void> result = new CompletableFuture<>();
    sent.whenComplete((ok, error) -> {
      stop(observation, error);
      if (error == null) {
        result.complete(null);
      } else {
        result.completeExceptionally(error);
      }
    });
    return Cancellation.passCancel(result, sent);
  }

  private static void stop(Observation observation, Throwable error) {
    if (error != null) {
      observation.error(error instanceof CompletionException && error.getCause() != null ? error.getCause() : error);
    }
    observation.lowCardinalityKeyValue("outcome", error == null ? "success" : "failure").stop();
  }

  @Override
  public ChannelAuthSigner authSigner() {
    return delegate.authSigner();
  }

  @Override
  public void close() {
    delegate.close();
  }

  @Override
  public String toString() {
    return "Observed" + delegate;
  }
}
