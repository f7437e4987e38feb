package dev.broadcasting.testing;

import dev.broadcasting.Scheduler;
import dev.broadcasting.Ticker;
import java.time.Duration;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;

/**
 * A clock that moves only when told, with the scheduler that goes with it: tasks run when
 * {@link #advance} passes their time, on the thread that advances, in time order. Give both to a
 * broadcaster to test retries, timeouts and close without sleeping.
 *
 * <pre>{@code
 * FakeTime time = new FakeTime();
 * Broadcaster broadcaster = Broadcaster.builder().connection("main", driver)
 *     .ticker(time).scheduler(time).build();
 * broadcaster.broadcast(event);
 * time.advance(Duration.ofSeconds(30)); // every retry due in these 30 s has started
 * }</pre>
 */
public final class FakeTime implements Ticker, Scheduler {
  private final PriorityQueue<Task> tasks = new PriorityQueue<>();
  private long nanos;
  private long sequence;

  @Override
  public synchronized long read() {
    return nanos;
  }

  @Override
  public synchronized Future<?> schedule(Runnable task, Duration delay) {
    Task scheduled = new Task(nanos + Math.max(0, delay.toNanos()), sequence++, task);
    tasks.add(scheduled);
    return scheduled.handle;
  }

  /** Moves the clock by {@code step}, running each task that falls due on the way at its own time. */
  public void advance(Duration step) {
    long target;
    synchronized (this) {
      target = nanos + step.toNanos();
    }
    while (true) {
      Task due;
      synchronized (this) {
        due = tasks.peek();
        if (due == null || due.at > target) {
          nanos = target;
          return;
        }
        tasks.poll();
        nanos = Math.max(nanos, due.at);
      }
      due.run();
    }
  }

  /** Moves the clock to the next task still waiting and runs it; false when there is none. */
  public boolean advanceToNext() {
    Duration step;
    synchronized (this) {
      tasks.removeIf(task -> task.handle.isDone());
      Task next = tasks.peek();
      if (next == null) {
        return false;
      }
      step = Duration.ofNanos(next.at - nanos);
    }
    advance(step);
    return true;
  }

  /** Tasks scheduled and neither run nor cancelled. */
  public synchronized int pending() {
    return (int) tasks.stream().filter(task -> !task.handle.isDone()).count();
  }

  @Override
  public synchronized String toString() {
    return "FakeTime{" + Duration.ofNanos(nanos) + ", " + tasks.size() + " tasks}";
  }

  private static final class Task implements Comparable<Task> {
    final long at;
    final long order;
    final Runnable body;
    final CompletableFuture<Void> handle = new CompletableFuture<>();

    Task(long at, long order, Runnable body) {
      this.at = at;
      this.order = order;
      this.body = body;
    }

    void run() {
      if (!handle.isDone()) {
        body.run();
        handle.complete(null);
      }
    }

    @Override
    public int compareTo(Task other) {
      return at != other.at ? Long.compare(at, other.at) : Long.compare(order, other.order);
    }
  }
}
