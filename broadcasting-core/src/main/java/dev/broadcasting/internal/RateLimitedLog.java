package dev.broadcasting.internal;

import dev.broadcasting.Ticker;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/**
 * Logs a line at most once per interval and counts what it held back, so that a full queue
 * refusing thousands of events a second, or a dead service failing them, writes one line every few
 * seconds instead of thousands. Every event still reaches the failure handler and the listener.
 */
public final class RateLimitedLog {
  private final Logger log;
  private final Ticker ticker;
  private final long intervalNanos;
  private final AtomicLong nextNanos = new AtomicLong(Long.MIN_VALUE);
  private final AtomicLong suppressed = new AtomicLong();

  public RateLimitedLog(Logger log, Ticker ticker, long intervalNanos) {
    this.log = log;
    this.ticker = ticker;
    this.intervalNanos = intervalNanos;
  }

  public void warn(String message, int events) {
    String line = admit(message, events);
    if (line != null) {
      log.warn(line);
    }
  }

  /** An error line without a stack trace; the trace goes to the debug log, where it is wanted. */
  void error(String message, int events, Throwable cause) {
    String line = admit(message, events);
    if (line != null) {
      log.error(line);
    }
    log.debug(message, cause);
  }

  private String admit(String message, int events) {
    long now = ticker.read();
    long next = nextNanos.get();
    if ((next == Long.MIN_VALUE || now - next >= 0) && nextNanos.compareAndSet(next, now + intervalNanos)) {
      long held = suppressed.getAndSet(0);
      return held == 0 ? message : message + " (and " + held + " more events like it since the last such line)";
    }
    suppressed.addAndGet(events);
    return null;
  }
}
