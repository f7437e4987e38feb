package dev.broadcasting.internal;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The bound of the queue, in events and in payload bytes. When full, {@link #acquire} waits up to
 * the configured time and then says no; it never drops anything itself. An event or batch larger
 * than the whole bound is still admitted when the queue is empty, so that no size is refused forever.
 *
 * <pre>{@code
 * if (capacity.acquire(1, 200)) { ...; capacity.release(1, 200); }
 * }</pre>
 *
 * <p>Room is taken and given back with compare-and-set, so producers and the draining thread do
 * not queue on a lock for every event; only a producer that finds the queue full takes this
 * object's monitor, to wait on it.
 */
final class Capacity {
  private final int maxEvents;
  private final long maxBytes;
  private final long blockNanos;
  private final AtomicInteger events = new AtomicInteger();
  private final AtomicLong bytes = new AtomicLong();
  /** Threads waiting for room; a release wakes them only when there are some. */
  private volatile int waiting;

  Capacity(int maxEvents, long maxBytes, long blockNanos) {
    this.maxEvents = maxEvents;
    this.maxBytes = maxBytes;
    this.blockNanos = blockNanos;
  }

  /** Takes room for {@code count} events of {@code size} bytes in all; false when there was none in time. */
  boolean acquire(int count, long size) throws InterruptedException {
    if (tryAcquire(count, size)) {
      return true;
    }
    long deadline = System.nanoTime() + blockNanos;
    synchronized (this) {
      // counted before looking again: a release either is seen by that look or sees this waiter
      waiting++;
      try {
        while (!tryAcquire(count, size)) {
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            return false;
          }
          TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return true;
      } finally {
        waiting--;
      }
    }
  }

  private boolean tryAcquire(int count, long size) {
    int held;
    do {
      held = events.get();
      if (held > 0 && held + count > maxEvents) {
        return false;
      }
    } while (!events.compareAndSet(held, held + count));
    long heldBytes;
    do {
      heldBytes = bytes.get();
      if (held > 0 && heldBytes + size > maxBytes) {
        release(count, 0); // the events taken just now
        return false;
      }
    } while (!bytes.compareAndSet(heldBytes, heldBytes + size));
    return true;
  }

  void release(int count, long size) {
    events.addAndGet(-count);
    if (size != 0) {
      bytes.addAndGet(-size);
    }
    if (waiting > 0) {
      synchronized (this) {
        notifyAll();
      }
    }
  }

  int events() {
    return events.get();
  }

  String describe() {
    return maxEvents + " events or " + maxBytes + " bytes";
  }
}
