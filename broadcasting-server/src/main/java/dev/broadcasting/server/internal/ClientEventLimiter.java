package dev.broadcasting.server.internal;

/**
 * A token bucket of client events for one connection: {@code perSecond} tokens, refilled
 * continuously, so a burst up to the limit passes and a steady flood is cut to the rate. Used on
 * the connection's event loop only.
 */
final class ClientEventLimiter {
  private final int perSecond;
  private double tokens;
  private long lastNanos = System.nanoTime();

  ClientEventLimiter(int perSecond) {
    this.perSecond = perSecond;
    this.tokens = perSecond;
  }

  boolean tryAcquire() {
    if (perSecond == 0) {
      return true;
    }
    long now = System.nanoTime();
    tokens = Math.min(perSecond, tokens + (now - lastNanos) * perSecond / 1e9);
    lastNanos = now;
    if (tokens < 1) {
      return false;
    }
    tokens -= 1;
    return true;
  }
}
