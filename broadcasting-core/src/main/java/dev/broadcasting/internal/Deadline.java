package dev.broadcasting.internal;

import dev.broadcasting.Scheduler;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The attempt timeout of one send: one timer for every request the send made (a pipelined batch
 * is one request per event), cancelled when the last of its jobs is answered. Scheduling and
 * cancelling a timer per event cost more than the rest of the dispatcher's work for it.
 *
 * <pre>{@code
 * Deadline deadline = new Deadline(jobs, sent);
 * deadline.start(scheduler, attemptTimeout);
 * // for each answer: deadline.answered(group.size());
 * }</pre>
 */
final class Deadline {
  private final List<Job> jobs;
  private final List<CompletableFuture<Void>> sent;
  private final int[] attempts;
  private final AtomicInteger open;
  private volatile Future<?> timer;

  /** {@code sent.get(i)} is the request carrying {@code jobs.get(i)} in its current attempt. */
  Deadline(List<Job> jobs, List<CompletableFuture<Void>> sent) {
    this.jobs = jobs;
    this.sent = sent;
    this.attempts = new int[jobs.size()];
    for (int i = 0; i < attempts.length; i++) {
      attempts[i] = jobs.get(i).attempts;
    }
    this.open = new AtomicInteger(jobs.size());
  }

  /** Starts the timer; before any of the jobs can be answered, so that the last answer finds it. */
  void start(Scheduler scheduler, Duration timeout) {
    Future<?> started = scheduler.schedule(this::expire, timeout);
    timer = started;
    for (Job job : jobs) {
      job.timeout = started;
    }
  }

  /** {@code count} of the jobs were answered; the last answer cancels the timer. */
  void answered(int count) {
    if (open.addAndGet(-count) == 0) {
      Future<?> started = timer;
      if (started != null) {
        started.cancel(false);
      }
    }
  }

  /**
   * Cancels the requests still open, each job marked as timed out in the attempt it was sent in
   * first: jobs of one request are all marked before its answer can be handled.
   */
  private void expire() {
    for (int i = 0; i < attempts.length; i++) {
      if (!sent.get(i).isDone()) {
        jobs.get(i).timedOutAttempt = attempts[i];
      }
    }
    for (CompletableFuture<Void> request : sent) {
      request.cancel(true);
    }
  }
}
