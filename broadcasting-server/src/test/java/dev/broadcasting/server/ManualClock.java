package dev.broadcasting.server;

import dev.broadcasting.server.internal.WebhookClock;
import java.util.PriorityQueue;
import java.util.concurrent.TimeUnit;

/**
 * A webhook clock that moves only when the test says: batch windows and retry back-offs of any
 * length pass at once, and in order.
 */
final class ManualClock implements WebhookClock {
  private record Task(long dueNanos, long order, Runnable run) {}

  private final PriorityQueue<Task> tasks = new PriorityQueue<>((a, b) -> a.dueNanos() != b.dueNanos()
      ? Long.compare(a.dueNanos(), b.dueNanos()) : Long.compare(a.order(), b.order()));
  private long now;
  private long scheduled;

  @Override
  public synchronized long nanoTime() {
    return now;
  }

  @Override
  public synchronized Runnable schedule(Runnable task, long delayNanos) {
    Task added = new Task(now + Math.max(0, delayNanos), scheduled++, task);
    tasks.add(added);
    notifyAll();
    return () -> {
      synchronized (this) {
        tasks.remove(added);
      }
    };
  }

  /** Waits (really, up to 10 s) until a task is scheduled; returns when it is due on this clock. */
  synchronized long awaitNextDue() throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (tasks.isEmpty()) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError("nothing was scheduled on the webhook clock within 10 s");
      }
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
    return tasks.peek().dueNanos();
  }

  /**
   * Runs tasks as they come due until {@code done}; the webhook requests they start are real I/O,
   * so this waits (really, at most 10 s) for their answers to schedule what follows.
   */
  void runUntil(java.util.function.BooleanSupplier done) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!done.getAsBoolean()) {
      boolean due;
      synchronized (this) {
        due = !tasks.isEmpty();
        if (!due) {
          if (System.nanoTime() > deadline) {
            throw new AssertionError("the condition did not hold within 10 s and nothing was scheduled");
          }
          wait(5);
        }
      }
      if (due) {
        runNext();
      }
    }
  }

  /** Moves the clock to the next task and runs it, outside the clock's lock. */
  void runNext() throws InterruptedException {
    awaitNextDue();
    Task next;
    synchronized (this) {
      next = tasks.poll();
      now = Math.max(now, next.dueNanos());
    }
    next.run().run();
  }
}
