package dev.broadcasting.server.internal;

/**
 * The time the webhook senders batch and retry by: the webhook thread's own timer in a running
 * server, a clock the test moves by hand in tests, so that a 12-second outage takes no 12 seconds.
 */
public interface WebhookClock {
  long nanoTime();

  /** Runs {@code task} once {@code delayNanos} have passed on this clock; returns what cancels it. */
  Runnable schedule(Runnable task, long delayNanos);
}
