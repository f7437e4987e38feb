package dev.broadcasting.server.internal;

import java.util.concurrent.atomic.LongAdder;

/**
 * The running totals of one app since the server started: WebSocket messages in and out, client
 * events and refused subscriptions. Written from every event loop and publishing thread, hence
 * {@link LongAdder}s, which stay cheap under contention.
 */
public final class AppCounters {
  final LongAdder messagesIn = new LongAdder();
  final LongAdder messagesOut = new LongAdder();
  final LongAdder clientEvents = new LongAdder();
  final LongAdder refusals = new LongAdder();

  public long messagesIn() {
    return messagesIn.sum();
  }

  public long messagesOut() {
    return messagesOut.sum();
  }

  public long clientEvents() {
    return clientEvents.sum();
  }

  public long refusals() {
    return refusals.sum();
  }
}
