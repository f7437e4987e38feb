package dev.broadcasting.internal;

import dev.broadcasting.BroadcastEvent;
import dev.broadcasting.Channel;
import dev.broadcasting.RetryPolicy;
import dev.broadcasting.spi.BroadcastMessage;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

/** One unit of the dispatcher: the messages of one submit, sent and settled together. */
final class Job {
  /** Queued, between attempts, or in back-off. */
  static final int WAITING = 0;
  /** The driver has it. */
  static final int IN_FLIGHT = 1;
  /** Reported once: sent, or failed. */
  static final int SETTLED = 2;

  final Outlet outlet;
  final List<BroadcastMessage> messages;
  final List<BroadcastEvent> events;
  /** The channels whose order this job keeps, each once. */
  final String[] keys;
  final long bytes;
  final RetryPolicy policy;
  final long startNanos;
  /** The caller's future: the outcome once the job has left the queue. */
  final CompletableFuture<Void> result = new CompletableFuture<>();
  private static final AtomicIntegerFieldUpdater<Job> STATE = AtomicIntegerFieldUpdater.newUpdater(Job.class, "state");
  /** {@link #WAITING}, {@link #IN_FLIGHT} or {@link #SETTLED}: a field of the job, read without a pointer to follow. */
  private volatile int state = WAITING;
  volatile int attempts;
  /** The future the driver returned for the current attempt: the one core cancels. */
  volatile CompletableFuture<Void> inFlight;
  volatile Future<?> timeout;
  volatile int timedOutAttempt;
  /** The attempt cancelled because one before it on its channel failed; it is sent again after it. */
  volatile int cascadedAttempt;
  /** Set when settled, read when the job leaves the queue: null when delivered, else why not. */
  Throwable failure;
  /** The next job pushed to the outlet's intake before this one (written before the push publishes it). */
  Job nextIntake;
  // guarded by the outlet's lock
  /** The lanes of {@link #keys}, in the same order, from admission on. */
  Lane[] lanes;
  /** In the outlet's ready queue. */
  boolean readied;
  /** Waiting out a back-off: not to be sent until it ends. */
  boolean backoff;
  /** The outlet's batch this job's current attempt went out in. */
  long batch;
  Job nextLive;
  Job previousLive;
  /**
   * Removed from its channels and the live jobs. Written under the lock; read without it by the
   * thread finishing the job, to which the remover handed it.
   */
  boolean left;

  Job(Outlet outlet, List<BroadcastMessage> messages, List<BroadcastEvent> events, RetryPolicy policy,
      long startNanos) {
    this.outlet = outlet;
    this.messages = messages;
    this.events = events;
    this.policy = policy;
    this.startNanos = startNanos;
    long total = 0;
    for (BroadcastMessage message : messages) {
      total += message.payloadBytes();
    }
    this.bytes = total;
    this.keys = keys(messages);
  }

  private static String[] keys(List<BroadcastMessage> messages) {
    if (messages.size() == 1 && messages.get(0).channels().size() == 1) {
      return new String[] {messages.get(0).channels().get(0).name()}; // the usual broadcast: no set to build
    }
    Set<String> union = new LinkedHashSet<>();
    for (BroadcastMessage message : messages) {
      for (Channel channel : message.channels()) {
        union.add(channel.name());
      }
    }
    return union.toArray(String[]::new);
  }

  int state() {
    return state;
  }

  /** From {@code expected} to {@code next}; false when the job was not in {@code expected}. */
  boolean moveState(int expected, int next) {
    return STATE.compareAndSet(this, expected, next);
  }

  /**
   * Under the outlet's lock, when it leaves for the driver. An ordered write is enough: the threads
   * that read it later take the same lock, or are handed the job by the one that launched it.
   */
  void launched() {
    STATE.lazySet(this, IN_FLIGHT);
  }

  void cancelOpenRequest() {
    Future<?> pending = timeout;
    if (pending != null) {
      pending.cancel(false);
    }
    CompletableFuture<Void> request = inFlight;
    if (request != null && !request.isDone()) {
      request.cancel(true);
    }
  }
}
