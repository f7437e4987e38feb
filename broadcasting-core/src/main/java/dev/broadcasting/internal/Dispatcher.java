package dev.broadcasting.internal;

import dev.broadcasting.BroadcastEvent;
import dev.broadcasting.BroadcastException;
import dev.broadcasting.Channel;
import dev.broadcasting.FailedBroadcast;
import dev.broadcasting.RetryPolicy;
import dev.broadcasting.Scheduler;
import dev.broadcasting.Ticker;
import dev.broadcasting.spi.BroadcastDriver;
import dev.broadcasting.spi.BroadcastMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
 * bounded queue in front of the drivers, ordered per channel, retrying transient failures, with
 * time and cancellation in its own hands.
 *
 * <p>Order: each job waits for the jobs before it that share a channel on the same connection, and
 * for no others. The last job of every (connection, channel) is that key's "tail"; a new job
 * depends on the tails of its channels and becomes the new tail. So an event being retried holds
 * back its own channels only, and a {@code ShouldBroadcastNow} event never overtakes one queued
 * before it.
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

  private final Object lock = new Object();
  private final Map<String, CompletableFuture<Void>> tails = new HashMap<>();
  private final Set<Job> live = ConcurrentHashMap.newKeySet();
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
  private volatile boolean closed;
  private volatile boolean stopping;

  public Dispatcher(DispatchOptions options) {
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
      this.scheduler = (task, delay) -> ownTimer.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
    }
    this.callbacks = new Callbacks(options.listeners(), options.onFailure(), options.callbackExecutor(), ticker);
    this.attemptTimeout = options.attemptTimeout();
    this.failureLog = new RateLimitedLog(log, ticker, TimeUnit.SECONDS.toNanos(5));
    this.rejectionLog = new RateLimitedLog(log, ticker, TimeUnit.SECONDS.toNanos(5));
  }

  /**
   * The one entry: {@code messages} (with the application's view of each, {@code events}) as one
   * unit for {@code driver}, handed to its {@code publishAll} together, or to {@code publish} when
   * there is one. With {@code now} and nothing pending before it on its channels, the first
   * attempt runs on the caller's thread and is over when this returns; otherwise it waits its turn.
   */
  public CompletableFuture<Void> submit(String connection, BroadcastDriver driver, List<BroadcastMessage> messages,
      List<BroadcastEvent> events, RetryPolicy policy, boolean now) {
    if (closed) {
      return reject(connection, events, "the broadcaster is closed");
    }
    Job job = new Job(connection, driver, messages, events, policy, ticker.read());
    try {
      if (!capacity.acquire(messages.size(), job.bytes)) {
        return reject(connection, events, "the queue is full (" + capacity.describe()
            + "); raise queueCapacity/queueMaxBytes, or find why connection '" + connection + "' is slow");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return reject(connection, events, "the thread was interrupted while waiting for room in the queue");
    }
    List<CompletableFuture<Void>> before = new ArrayList<>(1);
    synchronized (lock) {
      if (closed) {
        capacity.release(messages.size(), job.bytes);
        return reject(connection, events, "the broadcaster is closed");
      }
      for (String key : job.keys) {
        CompletableFuture<Void> previous = tails.put(key, job.done);
        if (previous != null) {
          before.add(previous);
        }
      }
      live.add(job);
    }
    // the caller's future completes after the job has left the queue, so queueDepth() agrees with it
    CompletableFuture<Void> result = job.done.whenComplete((ok, error) -> finish(job));
    callbacks.queued(events, connection, capacity.events());
    if (before.isEmpty()) {
      if (now) {
        attempt(job, true);
      } else {
        execute(job);
      }
    } else {
      CompletableFuture<?> ready = before.size() == 1
          ? before.get(0) : CompletableFuture.allOf(before.toArray(CompletableFuture[]::new));
      ready.whenComplete((ok, error) -> execute(job));
    }
    return result;
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
      for (Job job : List.copyOf(live)) {
        int state = job.state.get();
        if (state != Job.SETTLED && job.state.compareAndSet(state, Job.SETTLED)) {
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

  private void execute(Job job) {
    try {
      workers.execute(() -> attempt(job, false));
    } catch (RuntimeException rejected) {
      if (job.state.compareAndSet(Job.WAITING, Job.SETTLED)) {
        settleFailed(job, new BroadcastException("the dispatcher stopped before the event could be sent", rejected),
            false);
      }
    }
  }

  /** One call to the driver; with {@code callerWaits}, this thread waits for the answer and handles it. */
  private void attempt(Job job, boolean callerWaits) {
    if (stopping) {
      if (job.state.compareAndSet(Job.WAITING, Job.SETTLED)) {
        settleFailed(job, new BroadcastException("the broadcaster closed before the event could be sent"), false);
      }
      return;
    }
    if (!job.state.compareAndSet(Job.WAITING, Job.IN_FLIGHT)) {
      return;
    }
    int attempt = ++job.attempts;
    CompletableFuture<Void> sent = publish(job);
    job.inFlight = sent;
    if (job.state.get() == Job.SETTLED) {
      // close settled the job between the state change and now: it may have missed this request
      sent.cancel(true);
      return;
    }
    if (!sent.isDone()) {
      job.timeout = scheduler.schedule(() -> {
        job.timedOutAttempt = attempt;
        sent.cancel(true);
      }, attemptTimeout);
    }
    if (callerWaits || sent.isDone()) {
      answered(job, attempt, sent.handle((ok, error) -> error).join());
    } else {
      sent.whenComplete((ok, error) -> {
        try {
          workers.execute(() -> answered(job, attempt, error));
        } catch (RuntimeException stopped) {
          answered(job, attempt, error);
        }
      });
    }
  }

  private CompletableFuture<Void> publish(Job job) {
    try {
      CompletableFuture<Void> sent = job.messages.size() == 1
          ? job.driver.publish(job.messages.get(0)) : job.driver.publishAll(job.messages);
      if (sent == null) {
        return CompletableFuture.failedFuture(new BroadcastException(job.driver.getClass().getName()
            + " returned no future from " + (job.messages.size() == 1 ? "publish" : "publishAll")
            + ": a bug in the driver, which must return a future even for a failure", null, false, 0));
      }
      return sent;
    } catch (RuntimeException | Error e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private void answered(Job job, int attempt, Throwable error) {
    Future<?> timeout = job.timeout;
    if (timeout != null) {
      timeout.cancel(false);
    }
    if (error == null) {
      if (job.state.compareAndSet(Job.IN_FLIGHT, Job.SETTLED)) {
        callbacks.sent(job.events, job.connection, attempt, ticker.read() - job.startNanos);
        job.done.complete(null);
      }
      return;
    }
    Throwable cause = unwrap(error);
    if (cause instanceof CancellationException && job.timedOutAttempt == attempt) {
      cause = BroadcastException.retryable("the driver gave no answer within the attempt timeout of "
          + attemptTimeout + "; the request was cancelled", cause);
    }
    failedAttempt(job, cause);
  }

  private void failedAttempt(Job job, Throwable cause) {
    boolean retryable = !(cause instanceof BroadcastException) || ((BroadcastException) cause).isRetryable();
    if (retryable && job.attempts < job.policy.maxAttempts() && !stopping) {
      long delay = job.policy.delayNanosAfter(job.attempts);
      long elapsed = ticker.read() - job.startNanos;
      if (elapsed + delay < job.policy.deadline().toNanos() && job.state.compareAndSet(Job.IN_FLIGHT, Job.WAITING)) {
        Duration pause = Duration.ofNanos(delay);
        callbacks.retry(job.events, job.connection, job.attempts, pause, cause);
        log.debug("{} attempt {} failed, retrying in {} ms: {}", describe(job.events, job.connection),
            job.attempts, delay / 1_000_000, cause.toString());
        try {
          scheduler.schedule(() -> execute(job), pause);
        } catch (RuntimeException shutDown) {
          execute(job);
        }
        return;
      }
    }
    if (job.state.compareAndSet(Job.IN_FLIGHT, Job.SETTLED)) {
      settleFailed(job, cause, true);
    }
  }

  /** Reports the job's failure, then completes its future: the caller of the state change settled it. */
  private void settleFailed(Job job, Throwable cause, boolean afterAttempts) {
    String why = afterAttempts
        ? " failed after " + job.attempts + (job.attempts == 1 ? " attempt: " : " attempts: ") + cause.getMessage()
        : " was not delivered: " + cause.getMessage();
    BroadcastException error = wrap(describe(job.events, job.connection) + why, cause);
    if (closed) {
      failedWhileClosing.addAndGet(job.events.size());
    } else {
      failureLog.error(error.getMessage(), job.events.size(), cause);
    }
    List<FailedBroadcast> failures = new ArrayList<>(job.events.size());
    for (BroadcastEvent event : job.events) {
      failures.add(new FailedBroadcast(event, job.connection, job.attempts, error));
    }
    callbacks.failed(failures, false);
    job.done.completeExceptionally(error);
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

  private void finish(Job job) {
    synchronized (lock) {
      for (String key : job.keys) {
        tails.remove(key, job.done);
      }
    }
    live.remove(job);
    capacity.release(job.messages.size(), job.bytes);
    if (closed && capacity.events() == 0) {
      emptied.complete(null);
    }
  }

  static String describe(List<BroadcastEvent> events, String connection) {
    if (events.size() == 1) {
      BroadcastEvent event = events.get(0);
      return "Broadcast of " + event.describe() + " as '" + event.name() + "' on " + event.channels()
          + " via connection '" + connection + "'";
    }
    return "Batch of " + events.size() + " events " + events.stream().map(BroadcastEvent::name)
        .collect(Collectors.toList()) + " via connection '" + connection + "'";
  }

  private static Throwable unwrap(Throwable error) {
    Throwable cause = error;
    while (cause instanceof CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }

  private static final class Job {
    final String connection;
    final BroadcastDriver driver;
    final List<BroadcastMessage> messages;
    final List<BroadcastEvent> events;
    /** One per channel: the (connection, channel) pairs whose order this job keeps. */
    final List<String> keys;
    final long bytes;
    final RetryPolicy policy;
    final long startNanos;
    final CompletableFuture<Void> done = new CompletableFuture<>();
    /** WAITING (queued or between attempts), IN_FLIGHT (the driver has it), SETTLED (reported once). */
    final AtomicInteger state = new AtomicInteger(WAITING);
    static final int WAITING = 0;
    static final int IN_FLIGHT = 1;
    static final int SETTLED = 2;
    volatile int attempts;
    /** The future the driver returned for the current attempt: the one core cancels. */
    volatile CompletableFuture<Void> inFlight;
    volatile Future<?> timeout;
    volatile int timedOutAttempt;

    Job(String connection, BroadcastDriver driver, List<BroadcastMessage> messages, List<BroadcastEvent> events,
        RetryPolicy policy, long startNanos) {
      this.connection = connection;
      this.driver = driver;
      this.messages = messages;
      this.events = events;
      this.policy = policy;
      this.startNanos = startNanos;
      long total = 0;
      Set<String> union = new LinkedHashSet<>();
      for (BroadcastMessage message : messages) {
        total += message.payloadBytes();
        for (Channel channel : message.channels()) {
          union.add(connection + '\n' + channel.name());
        }
      }
      this.bytes = total;
      this.keys = List.copyOf(union);
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
}
