package dev.broadcasting.internal;

import dev.broadcasting.BroadcastEvent;
import dev.broadcasting.BroadcastException;
import dev.broadcasting.Channel;
import dev.broadcasting.FailedBroadcast;
import dev.broadcasting.QueueStats;
import dev.broadcasting.RetryPolicy;
import dev.broadcasting.Scheduler;
import dev.broadcasting.Ticker;
import dev.broadcasting.spi.BroadcastDriver;
import dev.broadcasting.spi.BroadcastMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one way in for every event, queued or {@code ShouldBroadcastNow}, single or batched: a
 * bounded queue in front of the drivers, ordered per channel, pipelined and coalesced where the
 * driver allows it, retrying transient failures, with time and cancellation in its own hands.
 *
 * <p>Order: each connection has an {@link Outlet} that keeps its channels' order. A job goes once
 * the jobs before it on its channels are in flight: in an earlier request when the driver
 * {@linkplain BroadcastDriver#keepsOrder keeps order} on its connection (pipelining, up to a
 * window), otherwise only in the same batch. Ready jobs go to the driver in batches
 * ({@link BroadcastDriver#publishBatch}), drained by one dispatcher thread per connection at a
 * time, not one task per event. With ordering off every job is ready at once.
 *
 * <p>Failure while pipelined: when an attempt fails and will be retried, the requests sent after
 * it on its channels are cancelled and sent again after it, so among the events delivered a
 * channel's order holds; an event cancelled that way may already have been delivered, and then
 * arrives twice. No event is reported twice.
 *
 * <p>Time: attempt timeouts, back-off and the close deadline run on the {@link Scheduler} and are
 * measured with the {@link Ticker}. On timeout and on close the dispatcher cancels the very future
 * the driver returned, so the driver stops that request before any retry starts.
 *
 * <p>Nothing is lost without a report: every event either completes its future normally, or
 * completes it exceptionally and reaches the failure handler and the listeners exactly once.
 */
public final class Dispatcher {
  private static final Logger log = LoggerFactory.getLogger("dev.broadcasting.Broadcaster");
  /** The period of the own timer's idle task, which keeps attempt timeouts from waking its thread. */
  private static final long HEAD_TICK_MILLIS = 1_000;

  private final Object lock = new Object();
  private final Map<String, Outlet> outlets = new ConcurrentHashMap<>();
  /** The outlet of the last submit: most applications use one connection, found without a lookup. */
  private volatile Outlet recent;
  private final boolean ordered;
  private final Capacity capacity;
  private final ExecutorService workers;
  private final Ticker ticker;
  private final Scheduler scheduler;
  private final ScheduledThreadPoolExecutor ownTimer;
  private final Callbacks callbacks;
  private final Duration attemptTimeout;
  private final CompletableFuture<Void> emptied = new CompletableFuture<>();
  private final AtomicInteger failedWhileClosing = new AtomicInteger();
  private final RateLimitedLog failureLog;
  private final RateLimitedLog rejectionLog;
  /** On a drain thread: where jobs settled during its sends wait, to be finished together. */
  private final ThreadLocal<List<Job>> finishing = new ThreadLocal<>();
  /** Set while an answering thread launches the next batch: an answer it meets goes to a dispatcher thread. */
  private final ThreadLocal<Boolean> launching = new ThreadLocal<>();
  /** Batches an answering thread takes at most before a dispatcher thread goes on draining. */
  private static final int TAKES_ON_ANSWERING_THREAD = 2;
  /** Submits between their check of {@link #closed} and the admission of their job. */
  private final AtomicInteger entering = new AtomicInteger();
  private volatile boolean closed;
  private volatile boolean stopping;

  public Dispatcher(DispatchOptions options) {
    this.ordered = options.ordered();
    this.capacity = new Capacity(options.capacity(), options.maxBytes(), options.blockWhenFull().toNanos());
    this.workers = Executors.newFixedThreadPool(options.threads(), DaemonThreads.named("broadcasting-dispatch-"));
    this.ticker = options.ticker();
    if (options.scheduler() != null) {
      this.ownTimer = null;
      this.scheduler = options.scheduler();
    } else {
      this.ownTimer = new ScheduledThreadPoolExecutor(1, DaemonThreads.named("broadcasting-timer-"));
      // A timeout is cancelled by nearly every attempt: drop it from the queue at once, not when due.
      ownTimer.setRemoveOnCancelPolicy(true);
      // The timer thread is woken only when a task becomes the head of its queue. Into an empty
      // queue every attempt's timeout would (a futex wake and a context switch per ShouldBroadcastNow
      // event: 4-11 us of CPU measured); behind this tick, a timeout further away than it never does.
      ownTimer.scheduleAtFixedRate(() -> {}, HEAD_TICK_MILLIS, HEAD_TICK_MILLIS, TimeUnit.MILLISECONDS);
      this.scheduler = (task, delay) -> ownTimer.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
    }
    this.callbacks = new Callbacks(options.listeners(), options.onFailure(), options.callbackExecutor(), ticker);
    this.attemptTimeout = options.attemptTimeout();
    this.failureLog = new RateLimitedLog(log, ticker, TimeUnit.SECONDS.toNanos(5));
    this.rejectionLog = new RateLimitedLog(log, ticker, TimeUnit.SECONDS.toNanos(5));
  }

  /**
   * The one entry: {@code messages} (with the application's view of each, {@code events}) as one
   * unit for {@code driver}, handed to its {@code publishAll} together, or with other single
   * messages to {@code publishBatch} / {@code publish}. With {@code now} and nothing pending before
   * it on its channels, the first attempt runs on the caller's thread and is over when this
   * returns; otherwise it waits its turn.
   */
  public CompletableFuture<Void> submit(String connection, BroadcastDriver driver, List<BroadcastMessage> messages,
      List<BroadcastEvent> events, RetryPolicy policy, boolean now) {
    if (closed) {
      return reject(connection, events, "the broadcaster is closed");
    }
    Outlet outlet = recent;
    if (outlet == null || outlet.connection != connection) { // the same name object, from the broadcaster's map
      outlet = outlets.computeIfAbsent(connection, name -> new Outlet(name, driver, ordered));
      recent = outlet;
    }
    Job job = new Job(outlet, messages, events, policy, ticker.read());
    try {
      if (!capacity.acquire(messages.size(), job.bytes)) {
        return reject(connection, events, "the queue is full (" + capacity.describe()
            + "); raise queueCapacity/queueMaxBytes, or find why connection '" + connection + "' is slow");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return reject(connection, events, "the thread was interrupted while waiting for room in the queue");
    }
    boolean goesNow = false;
    CompletableFuture<Void> sentNow = null;
    boolean drain;
    // close sets closed, waits until no submit is between here and admit, then reads the live jobs:
    // it sees this job, or this submit sees closed
    entering.incrementAndGet();
    try {
      if (closed) {
        capacity.release(messages.size(), job.bytes);
        return reject(connection, events, "the broadcaster is closed");
      }
      callbacks.queued(events, connection, capacity.events());
      if (now) {
        synchronized (outlet) {
          outlet.admitPushed(); // the jobs queued before this one go before it on their channels
          outlet.admit(job);
          goesNow = outlet.mayGoAlone(job) && (!outlet.pipelined || outlet.firstOnItsChannels(job));
          if (goesNow) {
            outlet.launch(job);
            if (outlet.pipelined) {
              // its channels' next events may go once it is in flight: it is written before a drain can take them
              sentNow = publish(job);
            }
          } else {
            outlet.offer(job);
          }
          drain = outlet.claimDrain();
        }
      } else {
        outlet.push(job); // no lock: the drain admits it
        drain = outlet.claim();
      }
    } finally {
      entering.decrementAndGet();
    }
    if (drain) {
      startDrain(outlet);
    }
    if (goesNow) {
      watch(List.of(job), List.of(sentNow != null ? sentNow : publish(job)), true);
    }
    return job.result;
  }

  /** Hands a durable queue's report to the listeners, guarded as every callback is. */
  public void queueStats(QueueStats stats) {
    callbacks.queueStats(stats);
  }

  /** Events queued or in flight, not yet complete. */
  public int depth() {
    return capacity.events();
  }

  /**
   * Stops intake and gives the events queued, in retry or in flight up to {@code drainTimeout} in
   * all. Then each one left is settled as not delivered, its open request cancelled, and reported
   * once. Returns how many events failed from the start of close to its end, abandoned or not, for
   * the one summary line. After the deadline it waits at most one more second (real time) for a
   * dispatcher thread that is settling the last events it held, so that they are counted too.
   */
  public int close(Duration drainTimeout) {
    synchronized (lock) {
      if (closed) {
        return 0;
      }
      closed = true;
    }
    if (capacity.events() == 0) {
      emptied.complete(null);
    }
    CompletableFuture<Void> deadline = new CompletableFuture<>();
    Future<?> timer = drainTimeout.isZero() ? null : scheduler.schedule(() -> deadline.complete(null), drainTimeout);
    if (timer == null) {
      deadline.complete(null);
    }
    CompletableFuture.anyOf(emptied, deadline).join();
    if (timer != null) {
      timer.cancel(false);
    }
    if (!emptied.isDone()) {
      stopping = true;
      while (entering.get() > 0) {
        Thread.onSpinWait(); // a submit that read closed as false is admitting its job
      }
      List<Job> left = new ArrayList<>();
      for (Outlet outlet : outlets.values()) {
        synchronized (outlet) {
          left.addAll(outlet.live());
        }
      }
      for (Job job : left) {
        int state = job.state();
        if (state != Job.SETTLED && job.moveState(state, Job.SETTLED)) {
          String why = state == Job.IN_FLIGHT
              ? "the driver had not answered within the drain timeout of " + drainTimeout + " when the broadcaster "
                  + "closed, so the request was cancelled; the event may or may not have been delivered"
              : "not sent within the drain timeout of " + drainTimeout + " when the broadcaster closed; "
                  + "raise drainTimeout or find why the connection is slow";
          job.cancelOpenRequest();
          settleFailed(job, new BroadcastException(why), false);
        }
      }
    }
    // a worker may be settling the last events it took before the deadline: count them in the summary
    try {
      emptied.get(1, TimeUnit.SECONDS);
    } catch (Exception stillSettling) {
      log.debug("Events were still settling when the broadcaster closed", stillSettling);
    }
    workers.shutdown();
    if (ownTimer != null) {
      ownTimer.shutdownNow();
    }
    return failedWhileClosing.get();
  }

  /** Starts a dispatcher thread on the outlet's drain, which the caller claimed. */
  private void startDrain(Outlet outlet) {
    try {
      workers.execute(() -> drain(outlet));
    } catch (RuntimeException rejected) {
      // the dispatcher stopped: close settles whatever is left
      outlet.dropDrain();
    }
  }

  private void drain(Outlet outlet) {
    drain(outlet, 0);
  }

  /**
   * Sends the outlet's ready jobs, batch after batch, until none is left; one thread per outlet at
   * a time. With {@code takes} above 0, after that many batches the drain, still claimed, goes on
   * on a dispatcher thread. When nothing may go because a channel's request is in flight and a
   * full batch waits behind it, the driver builds that batch's request now ({@link #prepare}).
   */
  private void drain(Outlet outlet, int takes) {
    List<Job> settled = new ArrayList<>();
    for (int sends = 0; ; ) {
      if (takes > 0 && sends >= takes) {
        startDrain(outlet);
        return;
      }
      List<Job> taken;
      List<Job> next = List.of();
      synchronized (outlet) {
        outlet.admitPushed();
        taken = stopping ? List.of() : outlet.take();
        if (taken.isEmpty()) {
          if (stopping) {
            outlet.prepared = null; // close settles its jobs as not sent: it is never sent
            outlet.preparedRequest = null;
          } else if (outlet.prepares && outlet.prepared == null) {
            next = outlet.nextFullBatch();
          }
          if (next.isEmpty()) {
            if (outlet.endDrain()) {
              continue; // a job was pushed after admitPushed, and its producer saw this drain running
            }
            return;
          }
        }
      }
      if (!next.isEmpty()) {
        prepare(outlet, next); // still draining: an answer that comes meanwhile is taken on the next turn
        continue;
      }
      sends++;
      finishing.set(settled);
      try {
        for (int from = 0; from < taken.size(); from += outlet.maxBatch) {
          send(outlet, taken.subList(from, Math.min(taken.size(), from + outlet.maxBatch)));
        }
      } finally {
        finishing.remove();
      }
      if (!settled.isEmpty()) {
        finish(settled);
        settled = new ArrayList<>();
      }
    }
  }

  /**
   * Has the driver build the request of {@code jobs}, the batch that goes when the request in
   * flight is answered, so that the answer only triggers its write. {@link #send} sends it only for
   * exactly these jobs in this order; anything else (a retry, a close) drops it unsent.
   */
  private void prepare(Outlet outlet, List<Job> jobs) {
    List<BroadcastMessage> messages = new ArrayList<>(jobs.size());
    for (Job job : jobs) {
      messages.add(job.messages.get(0));
    }
    BroadcastDriver.PreparedBatch request;
    try {
      request = outlet.driver.prepareBatch(messages);
    } catch (RuntimeException | Error e) {
      log.error("{} failed in prepareBatch, a bug in the driver; its batches on connection '{}' go through "
          + "publishBatch from now on", outlet.driver.getClass().getName(), outlet.connection, e);
      request = null;
    }
    if (request == null) {
      outlet.prepares = false;
      return;
    }
    outlet.prepared = jobs;
    outlet.preparedRequest = request;
  }

  private void send(Outlet outlet, List<Job> batch) {
    BroadcastDriver.PreparedBatch ahead = batch.equals(outlet.prepared) ? outlet.preparedRequest : null;
    outlet.prepared = null; // sent now, or no longer what goes next
    outlet.preparedRequest = null;
    if (batch.size() == 1) {
      watch(batch, List.of(publish(batch.get(0))), false);
      return;
    }
    List<BroadcastMessage> messages = new ArrayList<>(batch.size());
    for (Job job : batch) {
      messages.add(job.messages.get(0));
    }
    List<CompletableFuture<Void>> sent;
    try {
      sent = ahead != null ? ahead.send() : outlet.driver.publishBatch(messages);
      if (sent == null || sent.size() != messages.size()) {
        throw new BroadcastException(outlet.driver.getClass().getName() + " returned "
            + (sent == null ? "no futures" : sent.size() + " futures") + " from "
            + (ahead != null ? "a prepared batch" : "publishBatch") + " of " + messages.size()
            + " messages: a bug in the driver, which must return one future per message", null, false, 0);
      }
    } catch (RuntimeException | Error e) {
      watch(batch, Collections.nCopies(batch.size(), CompletableFuture.failedFuture(e)), false);
      return;
    }
    if (sent.contains(null)) {
      sent = new ArrayList<>(sent);
      sent.replaceAll(request -> request != null ? request : CompletableFuture.failedFuture(new BroadcastException(
          outlet.driver.getClass().getName() + " returned a null future from publishBatch: a bug in the driver",
          null, false, 0)));
    }
    watch(batch, sent, false);
  }

  /**
   * Follows the requests of one send, {@code sent.get(i)} carrying {@code jobs.get(i)} (the jobs
   * of one request share its future, and its answer): one timeout for all of them, and each answer
   * handled at once when it is already there, else handed back to a dispatcher thread; with
   * {@code callerWaits}, on this thread.
   */
  private void watch(List<Job> jobs, List<CompletableFuture<Void>> sent, boolean callerWaits) {
    boolean open = false;
    for (int i = 0; i < jobs.size(); i++) {
      Job job = jobs.get(i);
      CompletableFuture<Void> request = sent.get(i);
      job.inFlight = request;
      if (job.state() == Job.SETTLED || job.cascadedAttempt == job.attempts) {
        // close settled it, or a failure before it on its channel, between its launch and now
        request.cancel(true);
      }
      open |= !request.isDone();
    }
    Deadline deadline = null;
    if (open) {
      deadline = new Deadline(jobs, sent);
      deadline.start(scheduler, attemptTimeout);
    }
    // on an answering thread, an answer already there goes to a dispatcher thread like any other
    boolean here = launching.get() == null;
    int from = 0;
    for (int i = 1; i <= jobs.size(); i++) {
      if (i < jobs.size() && sent.get(i) == sent.get(from)) {
        continue;
      }
      List<Job> carried = jobs.subList(from, i);
      CompletableFuture<Void> request = sent.get(from);
      if (request.isDone() && here) {
        roomFor(carried);
        Outlet outlet = carried.get(0).outlet;
        if (!callerWaits && outlet.answers.taking()) {
          // an earlier answer waits there for its report: this one goes behind it, so that the
          // reports (and the callers' futures) keep the order of the answers. Not for a caller
          // that waits (ShouldBroadcastNow): it handles its own answer, as it does one that comes later
          if (outlet.answers.add(carried, failureOf(request), deadline)) {
            startAnswers(outlet);
          }
        } else {
          answered(carried, failureOf(request), deadline);
        }
      } else if (callerWaits) {
        Throwable error = request.handle((ok, failure) -> failure).join();
        roomFor(carried);
        answered(carried, error, deadline);
      } else {
        Deadline shared = deadline;
        Outlet outlet = carried.get(0).outlet;
        if (outlet.chained) {
          outlet.requestsOpen.incrementAndGet();
        }
        request.whenComplete((ok, error) -> handBack(outlet, carried, error, shared));
      }
      from = i;
    }
  }

  /**
   * On the thread that completed a request (a client's I/O thread): its answer goes to a dispatcher
   * thread with the others waiting. The last open request of a connection whose channels wait for
   * their answers (ordered, not pipelined), when delivered, first launches what it frees, here
   * ({@link #deliveredHere}): nothing else is in flight, so the next request would otherwise wait
   * for a dispatcher thread to wake (one hot channel: a serial chain of requests). While other
   * requests are open the connection is busy, and a dispatcher thread builds the next batches
   * beside the I/O thread instead of on it (64 channels measured 1.5 µs per event more on the
   * I/O thread, and fewer events/s, with every delivery launching there).
   */
  private void handBack(Outlet outlet, List<Job> jobs, Throwable error, Deadline deadline) {
    roomFor(jobs);
    if (outlet.chained && outlet.requestsOpen.decrementAndGet() == 0 && error == null && launching.get() == null) {
      deliveredHere(outlet, jobs, deadline);
    } else if (outlet.answers.add(jobs, error, deadline)) {
      startAnswers(outlet);
    }
  }

  /**
   * The request of {@code jobs} is answered, failed or cancelled: they leave the driver's count of
   * messages unanswered, and a drain stopped at its bound goes on ({@link BroadcastDriver#maxUnanswered}).
   */
  private void roomFor(List<Job> jobs) {
    Outlet outlet = jobs.get(0).outlet;
    if (outlet.answered(jobs)) {
      startDrain(outlet);
    }
  }

  /**
   * Settles {@code jobs} as delivered, takes them out of their channels' order, and sends what
   * that frees (at most {@value #TAKES_ON_ANSWERING_THREAD} batches; a dispatcher thread drains the
   * rest): a driver's {@code publish} does not block, so it may run on the answering thread. The
   * listeners and the callers' futures still run on a dispatcher thread, never on a driver's I/O
   * thread, as does every failure (retries and their fences). An answer met while launching goes
   * to a dispatcher thread too, so this never recurses.
   */
  private void deliveredHere(Outlet outlet, List<Job> jobs, Deadline deadline) {
    if (deadline != null) {
      deadline.answered(jobs.size());
    }
    List<Job> delivered = new ArrayList<>(jobs.size());
    for (Job job : jobs) {
      if (job.moveState(Job.IN_FLIGHT, Job.SETTLED)) { // else close or a timeout settled it
        delivered.add(job);
      }
    }
    boolean drain;
    boolean take;
    synchronized (outlet) {
      for (Job job : delivered) {
        outlet.remove(job);
      }
      // queued before the lock lets any thread launch what follows them, so that the reports keep
      // the order of the answers; the dispatcher thread is woken after the launch below, so that
      // waking it does not delay the next request
      take = !delivered.isEmpty() && outlet.answers.addDelivered(delivered);
      drain = outlet.claimDrain();
    }
    if (drain) {
      launching.set(Boolean.TRUE);
      try {
        drain(outlet, TAKES_ON_ANSWERING_THREAD);
      } finally {
        launching.remove();
      }
    }
    if (take) {
      startAnswers(outlet);
    }
  }

  private void startAnswers(Outlet outlet) {
    try {
      workers.execute(() -> takeAnswers(outlet));
    } catch (RuntimeException stopped) {
      takeAnswers(outlet);
    }
  }

  /**
   * Handles the outlet's answers until none is left, finishing the jobs settled by each run of up
   * to {@link Outlet#TAKE} answers together, outside the run: finishing completes the callers'
   * futures, and the code chained to them may broadcast in turn.
   */
  private void takeAnswers(Outlet outlet) {
    Answers.Answer answer = outlet.answers.take();
    while (answer != null) {
      List<Job> settled = new ArrayList<>();
      finishing.set(settled);
      try {
        for (int handled = 0; answer != null && handled < Outlet.TAKE; handled++) {
          try {
            if (answer.delivered()) {
              reportDelivered(answer.jobs());
            } else {
              answered(answer.jobs(), answer.error(), answer.deadline());
            }
          } catch (RuntimeException bug) {
            // the answers after it, and this outlet's later ones, must still be handled
            log.error("Handling a driver's answer failed; this is a bug in broadcasting", bug);
          }
          answer = outlet.answers.take();
        }
      } finally {
        finishing.remove();
      }
      if (!settled.isEmpty()) {
        finish(settled);
      }
    }
  }

  private CompletableFuture<Void> publish(Job job) {
    BroadcastDriver driver = job.outlet.driver;
    try {
      CompletableFuture<Void> sent = job.messages.size() == 1
          ? driver.publish(job.messages.get(0)) : driver.publishAll(job.messages);
      if (sent == null) {
        return CompletableFuture.failedFuture(new BroadcastException(driver.getClass().getName()
            + " returned no future from " + (job.messages.size() == 1 ? "publish" : "publishAll")
            + ": a bug in the driver, which must return a future even for a failure", null, false, 0));
      }
      return sent;
    } catch (RuntimeException | Error e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** Jobs settled as delivered on their answering thread: the listeners hear it, then they finish. */
  private void reportDelivered(List<Job> jobs) {
    for (Job job : jobs) {
      callbacks.sent(job.events, job.outlet.connection, job.attempts, ticker.read() - job.startNanos);
      settled(job, null);
    }
  }

  private void answered(List<Job> jobs, Throwable error, Deadline deadline) {
    if (deadline != null) {
      deadline.answered(jobs.size());
    }
    List<Job> again = new ArrayList<>(0);
    long delay = -1;
    for (Job job : jobs) {
      int attempt = job.attempts;
      if (error == null) {
        if (job.moveState(Job.IN_FLIGHT, Job.SETTLED)) {
          callbacks.sent(job.events, job.outlet.connection, attempt, ticker.read() - job.startNanos);
          settled(job, null);
        }
        continue;
      }
      Throwable cause = unwrap(error);
      if (cause instanceof CancellationException && job.cascadedAttempt == attempt) {
        cause = BroadcastException.retryable("an event sent before it on one of its channels failed, so it "
            + "was cancelled to be sent again after that one, in order", cause);
      } else if (cause instanceof CancellationException && job.timedOutAttempt == attempt) {
        cause = BroadcastException.retryable("the driver gave no answer within the attempt timeout of "
            + attemptTimeout + "; the request was cancelled", cause);
      }
      if (delay < 0) {
        delay = job.policy.delayNanosAfter(attempt);
      }
      if (backOff(job, cause, delay)) {
        again.add(job);
      }
    }
    if (!again.isEmpty()) {
      // the events of one request come back together, so that they can go out together again
      try {
        scheduler.schedule(() -> backOn(again), Duration.ofNanos(delay));
      } catch (RuntimeException shutDown) {
        backOn(again);
      }
    }
  }

  /**
   * After a failed attempt: true when {@code job} will be tried again after {@code delay}, its
   * channels held and the requests pipelined behind it cancelled; otherwise it is settled as failed.
   */
  private boolean backOff(Job job, Throwable cause, long delay) {
    boolean retryable = !(cause instanceof BroadcastException) || ((BroadcastException) cause).isRetryable();
    if (retryable && job.attempts < job.policy.maxAttempts() && !stopping
        && ticker.read() - job.startNanos + delay < job.policy.deadline().toNanos()) {
      Outlet outlet = job.outlet;
      List<Job> behind;
      synchronized (outlet) {
        if (!job.moveState(Job.IN_FLIGHT, Job.WAITING)) {
          return false;
        }
        job.backoff = true;
        behind = outlet.behind(job);
      }
      for (Job next : behind) {
        CompletableFuture<Void> request = next.inFlight;
        if (request != null) {
          request.cancel(true);
        }
      }
      callbacks.retry(job.events, outlet.connection, job.attempts, Duration.ofNanos(delay), cause);
      log.debug("{} attempt {} failed, retrying in {} ms: {}", describe(job.events, outlet.connection),
          job.attempts, delay / 1_000_000, cause.toString());
      return true;
    }
    if (job.moveState(Job.IN_FLIGHT, Job.SETTLED)) {
      settleFailed(job, cause, true);
    }
    return false;
  }

  /** The back-off is over: the jobs may go again once their turn comes. */
  private void backOn(List<Job> jobs) {
    Outlet outlet = jobs.get(0).outlet;
    boolean drain;
    synchronized (outlet) {
      for (Job job : jobs) {
        job.backoff = false;
      }
      for (Job job : jobs) {
        outlet.offer(job);
      }
      drain = outlet.claimDrain();
    }
    if (drain) {
      startDrain(outlet);
    }
  }

  /** Reports the job's failure, then completes its future: the caller of the state change settled it. */
  private void settleFailed(Job job, Throwable cause, boolean afterAttempts) {
    String connection = job.outlet.connection;
    String why = afterAttempts
        ? " failed after " + job.attempts + (job.attempts == 1 ? " attempt: " : " attempts: ") + cause.getMessage()
        : " was not delivered: " + cause.getMessage();
    BroadcastException error = wrap(describe(job.events, connection) + why, cause);
    if (closed) {
      failedWhileClosing.addAndGet(job.events.size());
    } else {
      failureLog.error(error.getMessage(), job.events.size(), cause);
    }
    List<FailedBroadcast> failures = new ArrayList<>(job.events.size());
    for (BroadcastEvent event : job.events) {
      failures.add(new FailedBroadcast(event, connection, job.attempts, error));
    }
    callbacks.failed(failures, false);
    settled(job, error);
  }

  /**
   * Refuses {@code events} at intake: one WARN line, {@code onRejected} and the failure handler
   * for each, and a failed future. Also the broadcaster's answer when its durable queue could not
   * store an event.
   */
  public CompletableFuture<Void> reject(String connection, List<BroadcastEvent> events, String why) {
    BroadcastException error = new BroadcastException(describe(events, connection) + " was not queued: " + why);
    rejectionLog.warn(error.getMessage(), events.size());
    List<FailedBroadcast> failures = new ArrayList<>(events.size());
    for (BroadcastEvent event : events) {
      failures.add(new FailedBroadcast(event, connection, 0, error));
    }
    callbacks.failed(failures, true);
    return CompletableFuture.failedFuture(error);
  }

  /** Keeps the driver's verdict (retryable, status) on the exception that names the event. */
  private static BroadcastException wrap(String message, Throwable cause) {
    boolean retryable = cause instanceof BroadcastException && ((BroadcastException) cause).isRetryable();
    BroadcastException known = cause instanceof BroadcastException ? (BroadcastException) cause : null;
    return new BroadcastException(message, cause, retryable, known == null ? 0 : known.httpStatus(),
        known == null ? 0 : known.providerCode());
  }

  /** Takes settled jobs out of their channels' order and the queue, then completes their callers' futures. */
  private void finish(List<Job> jobs) {
    Outlet outlet = jobs.get(0).outlet;
    boolean inOrder = false;
    for (Job job : jobs) {
      inOrder |= !job.left; // only jobs delivered on their answering thread left already, before being handed here
    }
    if (inOrder) {
      boolean drain;
      synchronized (outlet) {
        for (Job job : jobs) {
          outlet.remove(job);
        }
        drain = outlet.claimDrain();
      }
      if (drain) {
        startDrain(outlet);
      }
    }
    int events = 0;
    long bytes = 0;
    for (Job job : jobs) {
      events += job.messages.size();
      bytes += job.bytes;
    }
    capacity.release(events, bytes);
    if (closed && capacity.events() == 0) {
      emptied.complete(null);
    }
    // the caller's future completes after the job has left the queue, so queueDepth() agrees with it
    for (Job job : jobs) {
      if (job.failure == null) {
        job.result.complete(null);
      } else {
        job.result.completeExceptionally(job.failure);
      }
    }
  }

  /** The job is settled ({@code failure} null: delivered): it leaves the queue now, or with its drain's batch. */
  private void settled(Job job, Throwable failure) {
    job.failure = failure;
    List<Job> batch = finishing.get();
    if (batch != null) {
      batch.add(job); // the drain thread finishes its batch's jobs under one lock
    } else {
      finish(List.of(job));
    }
  }

  private static final int NAMES_IN_A_BATCH = 5;

  static String describe(List<BroadcastEvent> events, String connection) {
    if (events.size() == 1) {
      BroadcastEvent event = events.get(0);
      return "Broadcast of " + event.describe() + " as '" + event.name() + "' on " + event.channels()
          + " via connection '" + connection + "'";
    }
    // a few names say which batch it was; all of them would make one log line per event
    List<String> names = events.stream().limit(NAMES_IN_A_BATCH).map(BroadcastEvent::name).collect(Collectors.toList());
    String more = events.size() > NAMES_IN_A_BATCH ? " and " + (events.size() - NAMES_IN_A_BATCH) + " more" : "";
    return "Batch of " + events.size() + " events " + names + more + " via connection '" + connection + "'";
  }

  /** The failure of a completed future, or null: what {@code handle} would give, without a stage per answer. */
  private static Throwable failureOf(CompletableFuture<Void> done) {
    if (!done.isCompletedExceptionally()) {
      return null;
    }
    try {
      done.join();
      return null;
    } catch (CancellationException | CompletionException e) {
      return e;
    }
  }

  private static Throwable unwrap(Throwable error) {
    Throwable cause = error;
    while (cause instanceof CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }
}
