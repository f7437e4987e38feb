package dev.broadcasting.internal;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The drivers' answers for one connection, handed from the threads that complete them (a client's
 * event loop) to one dispatcher thread at a time, which takes them in turn: one executor task per
 * run of answers rather than one per request, and no listener or lock on the driver's thread.
 * An answer is pushed with one compare-and-set onto a stack linked through the answers; the taker
 * takes the whole stack at once and reverses it into the order the answers were added (a
 * {@code ConcurrentLinkedQueue} cost a node and an atomic on each side per answer, a sixth of the
 * redis socket's reader thread).
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
  static final class Answer {
    private final List<Job> jobs;
    private final Throwable error;
    private final Deadline deadline;
    private final boolean delivered;
    /** The one added before it while on the stack, the one after it once taken. */
    private Answer next;

    Answer(List<Job> jobs, Throwable error, Deadline deadline, boolean delivered) {
      this.jobs = jobs;
      this.error = error;
      this.deadline = deadline;
      this.delivered = delivered;
    }

    List<Job> jobs() {
      return jobs;
    }

    Throwable error() {
      return error;
    }

    Deadline deadline() {
      return deadline;
    }

    boolean delivered() {
      return delivered;
    }
  }

  /** Added and not taken yet, newest first. */
  private final AtomicReference<Answer> added = new AtomicReference<>();
  /** Taken from {@link #added}, oldest first; only the holder of the claim reads or writes it. */
  private Answer taken;
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
    Answer head;
    do {
      head = added.get();
      answer.next = head;
    } while (!added.compareAndSet(head, answer));
    return !claimed.get() && claimed.compareAndSet(false, true);
  }

  /**
   * True while answers wait or are being handled: an answer found already there when its request
   * was sent must then be added behind them rather than handled at once. Answers added while the
   * taker gives up its claim count too: it takes them again, or their adder starts a taker.
   */
  boolean taking() {
    return claimed.get() || added.get() != null;
  }

  /** The oldest answer not taken yet, or null when there is none left and the claim is given up. */
  Answer take() {
    while (true) {
      Answer next = taken;
      if (next != null) {
        taken = next.next;
        next.next = null;
        return next;
      }
      Answer newest = added.getAndSet(null);
      if (newest != null) {
        taken = reversed(newest);
        continue;
      }
      claimed.set(false);
      // an answer added after the last look saw the claim still held and started nobody: take it too
      if (added.get() == null || !claimed.compareAndSet(false, true)) {
        return null;
      }
    }
  }

  private static Answer reversed(Answer newest) {
    Answer oldest = null;
    while (newest != null) {
      Answer next = newest.next;
      newest.next = oldest;
      oldest = newest;
      newest = next;
    }
    return oldest;
  }
}
