package dev.broadcasting;

import dev.broadcasting.spi.BroadcastMessage;
import java.time.Duration;

/**
 * Observes the dispatcher, for metrics and tracing. Methods are called on dispatcher and driver
 * threads and must return quickly. A Micrometer bridge is a dozen lines; see the README.
 *
 * <pre>{@code
 * Broadcaster.builder()
 *     .listener(new BroadcastListener() {
 *       public void onSent(BroadcastMessage m, String connection, int attempts, long latencyNanos) {
 *         sentTimer.record(latencyNanos, TimeUnit.NANOSECONDS);
 *       }
 *     })
 * }</pre>
 */
public interface BroadcastListener {

  /** An event entered the queue; {@code queueDepth} counts it. */
  default void onQueued(BroadcastMessage message, String connection, int queueDepth) {}

  /** The driver accepted the event, {@code latencyNanos} after {@code broadcast} was called. */
  default void onSent(BroadcastMessage message, String connection, int attempts, long latencyNanos) {}

  /** Attempt {@code attempt} failed with a retryable error; the next starts after {@code delay}. */
  default void onRetry(BroadcastMessage message, String connection, int attempt, Duration delay, Throwable cause) {}

  /** The event failed for good after its last attempt, or was not delivered before close. */
  default void onFailed(FailedBroadcast failure) {}

  /** The event was refused at intake: the queue was full or the broadcaster closed. */
  default void onRejected(FailedBroadcast failure) {}
}
