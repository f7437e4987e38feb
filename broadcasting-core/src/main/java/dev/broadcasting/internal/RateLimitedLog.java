package dev.broadcasting.internal;

import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/**
 * Logs a warning at most once per interval and counts what it held back, so that a full queue
 * refusing thousands of events a second writes one line every few seconds instead of thousands.
 * Every refused event still reaches the failure handler and the listener.
 */
public final class RateLimitedLog {
  private final Logger log;
  private final long intervalNanos;
  private final AtomicLong nextNanos = new AtomicLong(Long.MIN_VALUE);
  private final AtomicLong suppressed = new AtomicLong();
  private final String heldBack;

  RateLimitedLog(Logger log, long intervalNanos) {
    this(log, intervalNanos, "events refused");
  }

  /** @param heldBack what the count of held-back lines counts, e.g. {@code "requests refused"} */
  public RateLimitedLog(Logger log, long intervalNanos, String heldBack) {
    this.log = log;
    this.intervalNanos = intervalNanos;
    this.heldBack = heldBack;
  }

  public void warn(String message, int events) {
    long now = System.nanoTime();
    long next = nextNanos.get();
    if ((next == Long.MIN_VALUE || now - next >= 0) && nextNanos.compareAndSet(next, now + intervalNanos)) {
      long held = suppressed.getAndSet(0);
      log.warn(held == 0 ? message : message + " (and " + held + " more " + heldBack + " since the last such line)");
    } else {
      suppressed.addAndGet(events);
    }
  }
}
