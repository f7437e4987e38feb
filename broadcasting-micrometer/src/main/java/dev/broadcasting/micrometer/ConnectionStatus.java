package dev.broadcasting.micrometer;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What one connection's deliveries say about it: counts, and when the last event went through or
 * failed. The drivers have no probe of their own, so reachability is read from the last outcome.
 *
 * <pre>{@code
 * ConnectionStatus status = observability.status("pusher");
 * if (status.reachability() == ConnectionStatus.Reachability.FAILING) alert(status.lastError());
 * }</pre>
 *
 * @param sent events the driver accepted
 * @param failed events that will not be delivered: failed for good or rejected at intake
 * @param lastSuccess when an event was last accepted, or null
 * @param lastFailure when an event last failed for good, or null
 * @param lastError the message of the last failure, or null
 */
public record ConnectionStatus(String connection, String driver, long sent, long failed, Instant lastSuccess,
    Instant lastFailure, String lastError) {

  /** What the last outcome says. */
  public enum Reachability {
    /** Nothing was sent yet. */
    UNKNOWN,
    /** The last event went through. */
    REACHABLE,
    /** The last event failed for good. */
    FAILING
  }

  public Reachability reachability() {
    if (lastFailure == null) {
      return lastSuccess == null ? Reachability.UNKNOWN : Reachability.REACHABLE;
    }
    return lastSuccess != null && lastSuccess.isAfter(lastFailure) ? Reachability.REACHABLE : Reachability.FAILING;
  }

  static ConnectionStatus unused(String connection, String driver) {
    return new ConnectionStatus(connection, driver, 0, 0, null, null, null);
  }

  /** The live counters behind the snapshots. */
  static final class Recorder {
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private volatile Instant lastSuccess;
    private volatile Instant lastFailure;
    private volatile String lastError;

    void sent() {
      sent.incrementAndGet();
      lastSuccess = Instant.now();
    }

    void failed(String error) {
      failed.incrementAndGet();
      lastError = error;
      lastFailure = Instant.now();
    }

    ConnectionStatus snapshot(String connection, String driver) {
      return new ConnectionStatus(connection, driver, sent.get(), failed.get(), lastSuccess, lastFailure, lastError);
    }
  }
}
