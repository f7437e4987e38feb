package dev.broadcasting.internal;

import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The drivers' answers for one connection, handed from the threads that complete them (a client's
 * event loop) to one dispatcher thread at a time, which takes them in turn: one executor task per
 * run of answers rather than one per request, and no listener or lock on the driver's thread.
 *
 * <pre>{@code
 * if (outlet.answers.add(jobs, error, deadline)) { workers.execute(() -> takeAnswers(outlet)); }
 * }</pre>
 */
final class Answers {
  /**
   * One request's answer: its jobs, its failure or null, and the timeout it shares with its send;
   * {@code delivered}: the jobs were settled as delivered and left their channels on the answering
   * thread already, and only their reports and their callers' futures are left.
   */
  record Answer(List<Job> jobs, Throwable error, Deadline deadline, boolean delivered) {}

  private final Queue<Answer> added = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean claimed = new AtomicBoolean();

  /** True when the caller must start the thread that takes them: nobody was taking them. */
  boolean add(List<Job> jobs, Throwable error, Deadline deadline) {
    return add(new Answer(jobs, error, deadline, false));
  }

  /** Jobs settled as delivered on the answering thread: their reports are left. */
  boolean addDelivered(List<Job> jobs) {
    return add(new Answer(jobs, null, null, true));
  }

  private boolean add(Answer answer) {
    added.add(answer);
    return !claimed.get() && claimed.compareAndSet(false, true);
  }

  /** The oldest answer not taken yet, or null when there is none left and the claim is given up. */
  Answer take() {
    while (true) {
      Answer next = added.poll();
      if (next != null) {
        return next;
      }
      claimed.set(false);
      // an answer added after the poll saw the claim still held and started nobody: take it too
      if (added.isEmpty() || !claimed.compareAndSet(false, true)) {
        return null;
      }
    }
  }
}
