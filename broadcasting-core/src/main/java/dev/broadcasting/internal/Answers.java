package dev.broadcasting.internal;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The drivers' answers for one connection, handed from the threads that complete them (a client's
 * event loop) to one dispatcher thread at a time, which takes them all at once: one executor task
 * per run of answers rather than one per request, and no listener or lock on the driver's thread.
 *
 * <pre>{@code
 * if (outlet.answers.add(jobs, error, deadline)) { workers.execute(() -> drainAnswers(outlet)); }
 * }</pre>
 */
final class Answers {
  /** One request's answer: its jobs, its failure or null, and the timeout it shares with its send. */
  static final class Answer {
    final List<Job> jobs;
    final Throwable error;
    final Deadline deadline;
    Answer next;

    Answer(List<Job> jobs, Throwable error, Deadline deadline) {
      this.jobs = jobs;
      this.error = error;
      this.deadline = deadline;
    }
  }

  /** Newest first, linked through {@link Answer#next}. */
  private final AtomicReference<Answer> added = new AtomicReference<>();
  private final AtomicBoolean claimed = new AtomicBoolean();

  /** True when the caller must start the thread that takes them: nobody was taking them. */
  boolean add(List<Job> jobs, Throwable error, Deadline deadline) {
    Answer answer = new Answer(jobs, error, deadline);
    Answer head;
    do {
      head = added.get();
      answer.next = head;
    } while (!added.compareAndSet(head, answer));
    return !claimed.get() && claimed.compareAndSet(false, true);
  }

  /** The answers added so far, oldest first, or null when there are none and the claim is given up. */
  Answer take() {
    while (true) {
      Answer newest = added.getAndSet(null);
      if (newest != null) {
        Answer oldest = null;
        while (newest != null) { // reverse the stack into arrival order
          Answer next = newest.next;
          newest.next = oldest;
          oldest = newest;
          newest = next;
        }
        return oldest;
      }
      claimed.set(false);
      // an answer added after getAndSet saw the claim still held and started nobody: take it too
      if (added.get() == null || !claimed.compareAndSet(false, true)) {
        return null;
      }
    }
  }
}
