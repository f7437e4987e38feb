package dev.broadcasting.internal;

import java.util.concurrent.TimeUnit;

/**
 * The bound of the queue, in events and in payload bytes. When full, {@link #acquire} waits up to
 * the configured time and then says no; it never drops anything itself. An event or batch larger
 * than the whole bound is still admitted when the queue is empty, so that no size is refused forever.
 */
final class Capacity {
  private final int maxEvents;
  private final long maxBytes;
  private final long blockNanos;
  private int events;
  private long bytes;
  /** Threads in a wait on this monitor; a release wakes them only when there are some. */
  private int waiting;

  Capacity(int maxEvents, long maxBytes, long blockNanos) {
    this.maxEvents = maxEvents;
    this.maxBytes = maxBytes;
    this.blockNanos = blockNanos;
  }

  /** Takes room for {@code count} events of {@code size} bytes in all; false when there was none in time. */
  synchronized boolean acquire(int count, long size) throws InterruptedException {
    if (isFull(count, size)) {
      long deadline = System.nanoTime() + blockNanos;
      do {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        waiting++;
        try {
          TimeUnit.NANOSECONDS.timedWait(this, left);
        } finally {
          waiting--;
        }
      } while (isFull(count, size));
    }
    events += count;
    bytes += size;
    return true;
  }

  private boolean isFull(int count, long size) {
    return events > 0 && (events + count > maxEvents || bytes + size > maxBytes);
  }

  synchronized void release(int count, long size) {
    events -= count;
    bytes -= size;
    if (waiting > 0) {
      notifyAll();
    }
  }

  /** Waits until no event holds room; false if some still did after {@code nanos}. */
  synchronized boolean awaitEmpty(long nanos) throws InterruptedException {
    long deadline = System.nanoTime() + nanos;
    while (events > 0) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      waiting++;
      try {
        TimeUnit.NANOSECONDS.timedWait(this, left);
      } finally {
        waiting--;
      }
    }
    return true;
  }

  synchronized int events() {
    return events;
  }

  synchronized long bytes() {
    return bytes;
  }

  String describe() {
    return maxEvents + " events or " + maxBytes + " bytes";
  }
}
