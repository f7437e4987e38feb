package dev.broadcasting.internal;

import dev.broadcasting.BroadcastException;
import dev.broadcasting.BroadcastListener;
import dev.broadcasting.Channel;
import dev.broadcasting.FailedBroadcast;
import dev.broadcasting.RetryPolicy;
import dev.broadcasting.spi.BroadcastDriver;
import dev.broadcasting.spi.BroadcastMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The queue between {@code broadcast()} and the drivers.
 *
 * <p>Order: each event waits for the events before it that share a channel on the same
 * connection, and for no others. The last event of every (connection, channel) is kept as that
 * key's "tail"; a new event depends on the tails of its channels and becomes the new tail. So an
 * event being retried holds back its own channels only.
 *
 * <p>Nothing is lost without a report: every event either completes its future normally, or
 * completes it exceptionally and reaches the failure handler and the listener exactly once.
 */
public final class Dispatcher {
  private static final Logger log = LoggerFactory.getLogger("dev.broadcasting.Broadcaster");

  private final Object lock = new Object();
  private final Map<String, CompletableFuture<Void>> tails = new HashMap<>();
  private final Set<Job> live = ConcurrentHashMap.newKeySet();
  private final Capacity capacity;
  private final ExecutorService workers;
  private final ScheduledExecutorService timer;
  private final BroadcastListener listener;
  private final Consumer<FailedBroadcast> onFailure;
  private final long attemptTimeoutNanos;
  private volatile boolean closed;
  private volatile boolean stopping;
  private final RateLimitedLog rejectionLog = new RateLimitedLog(log, TimeUnit.SECONDS.toNanos(5));

  public Dispatcher(DispatchOptions options, BroadcastListener listener, Consumer<FailedBroadcast> onFailure) {
    this.capacity = new Capacity(options.capacity(), options.maxBytes(), options.blockWhenFull().toNanos());
    this.workers = Executors.newFixedThreadPool(options.threads(), daemon("broadcasting-dispatch-"));
    this.timer = Executors.newSingleThreadScheduledExecutor(daemon("broadcasting-retry-"));
    this.listener = listener;
    this.onFailure = onFailure;
    this.attemptTimeoutNanos = options.attemptTimeout().toNanos();
  }

  /** Queues {@code message} for {@code driver}; the future completes when it is sent or has failed for good. */
  public CompletableFuture<Void> enqueue(String connection, BroadcastDriver driver, BroadcastMessage message,
      RetryPolicy policy) {
    return enqueue(connection, driver, List.of(message), policy);
  }

  /**
   * Queues {@code messages} as one unit, handed to the driver's {@code publishAll} together (or to
   * {@code publish} when there is one), ordered after the events before it on any of its channels.
   */
  public CompletableFuture<Void> enqueue(String connection, BroadcastDriver driver, List<BroadcastMessage> messages,
      RetryPolicy policy) {
    if (closed) {
      return reject(connection, messages, "the broadcaster is closed");
    }
    Job job = new Job(connection, driver, messages, policy);
    try {
      if (!capacity.acquire(messages.size(), job.bytes)) {
        return reject(connection, messages, "the queue is full (" + capacity.describe()
            + "); raise queueCapacity/queueMaxBytes, or find why connection '" + connection + "' is slow");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return reject(connection, messages, "the thread was interrupted while waiting for room in the queue");
    }
    List<CompletableFuture<Void>> before = new ArrayList<>(1);
    synchronized (lock) {
      if (closed) {
        capacity.release(messages.size(), job.bytes);
        return reject(connection, messages, "the broadcaster is closed");
      }
      for (String key : job.keys) {
        CompletableFuture<Void> previous = tails.put(key, job.done);
        if (previous != null) {
          before.add(previous);
        }
      }
      live.add(job);
    }
    job.done.whenComplete((ok, error) -> finish(job));
    int depth = capacity.events();
    messages.forEach(message -> listener.onQueued(message, connection, depth));
    if (before.isEmpty()) {
      workers.execute(() -> attempt(job));
    } else {
      CompletableFuture<?> ready = before.size() == 1
          ? before.get(0) : CompletableFuture.allOf(before.toArray(CompletableFuture[]::new));
      ready.whenComplete((ok, error) -> execute(job));
    }
    return job.done.copy();
  }

  /**
   * Sends on the caller's thread, once, waiting at most the attempt timeout. The returned future is
   * already complete; a failure is the caller's to handle.
   */
  public CompletableFuture<Void> sendNow(String connection, BroadcastDriver driver, List<BroadcastMessage> messages) {
    if (closed) {
      return CompletableFuture.failedFuture(new BroadcastException(describe(messages, connection)
          + " was not sent: the broadcaster is closed"));
    }
    long start = System.nanoTime();
    Throwable failure;
    try {
      publish(driver, messages).get(attemptTimeoutNanos, TimeUnit.NANOSECONDS);
      long latency = System.nanoTime() - start;
      messages.forEach(message -> listener.onSent(message, connection, 1, latency));
      return CompletableFuture.completedFuture(null);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      failure = e;
    } catch (ExecutionException e) {
      failure = e.getCause();
    } catch (TimeoutException e) {
      failure = BroadcastException.retryable("no answer within " + Duration.ofNanos(attemptTimeoutNanos), e);
    } catch (RuntimeException e) {
      failure = e;
    }
    BroadcastException error = wrap(describe(messages, connection) + " failed: " + failure.getMessage(), failure);
    messages.forEach(message -> listener.onFailed(new FailedBroadcast(message, connection, 1, error)));
    return CompletableFuture.failedFuture(error);
  }

  /** Events queued or in flight, not yet complete. */
  public int depth() {
    return capacity.events();
  }

  /**
   * Stops intake and waits up to {@code drainTimeout} for queued events. Then no new attempt
   * starts: events waiting (queued or between retries) fail at once, and those in flight get as
   * long again to finish, so that what the driver really delivered is counted as delivered. Each
   * event not delivered is reported to the failure handler. Returns how many were not delivered.
   */
  public int close(Duration drainTimeout) {
    synchronized (lock) {
      closed = true;
    }
    int abandoned = 0;
    if (!awaitEmpty(drainTimeout)) {
      stopping = true;
      for (Job job : List.copyOf(live)) {
        if (job.state.compareAndSet(Job.WAITING, Job.SETTLED)) {
          settleFailed(job, new BroadcastException("not delivered within the drain timeout of " + drainTimeout
              + " when the broadcaster closed; raise drainTimeout or find why the connection is slow"), false);
          abandoned++;
        }
      }
      if (!awaitEmpty(drainTimeout)) {
        for (Job job : List.copyOf(live)) {
          if (job.state.compareAndSet(Job.IN_FLIGHT, Job.SETTLED)) {
            settleFailed(job, new BroadcastException("the driver had not answered when the broadcaster closed; "
                + "the event may or may not have been delivered"), false);
            abandoned++;
          }
        }
      }
    }
    timer.shutdownNow();
    workers.shutdown();
    return abandoned;
  }

  private boolean awaitEmpty(Duration timeout) {
    try {
      return capacity.awaitEmpty(timeout.toNanos());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private void execute(Job job) {
    try {
      workers.execute(() -> attempt(job));
    } catch (RuntimeException rejected) {
      if (job.state.compareAndSet(Job.WAITING, Job.SETTLED)) {
        settleFailed(job, new BroadcastException("the dispatcher stopped before the event could be sent", rejected),
            false);
      }
    }
  }

  private void attempt(Job job) {
    if (stopping) {
      if (job.state.compareAndSet(Job.WAITING, Job.SETTLED)) {
        settleFailed(job, new BroadcastException("the broadcaster closed before the event could be sent"), false);
      }
      return;
    }
    if (!job.state.compareAndSet(Job.WAITING, Job.IN_FLIGHT)) {
      return;
    }
    job.attempts++;
    CompletableFuture<Void> sent;
    try {
      sent = publish(job.driver, job.messages);
    } catch (RuntimeException | Error e) {
      sent = CompletableFuture.failedFuture(e);
    }
    sent.orTimeout(attemptTimeoutNanos, TimeUnit.NANOSECONDS).whenComplete((ok, error) -> {
      if (error == null) {
        if (job.state.compareAndSet(Job.IN_FLIGHT, Job.SETTLED)) {
          long latency = System.nanoTime() - job.startNanos;
          job.messages.forEach(message -> listener.onSent(message, job.connection, job.attempts, latency));
          job.done.complete(null);
        }
      } else {
        failedAttempt(job, unwrap(error));
      }
    });
  }

  private void failedAttempt(Job job, Throwable cause) {
    boolean retryable = !(cause instanceof BroadcastException) || ((BroadcastException) cause).isRetryable();
    if (retryable && job.attempts < job.policy.maxAttempts() && !stopping) {
      long delay = job.policy.delayNanosAfter(job.attempts);
      long elapsed = System.nanoTime() - job.startNanos;
      if (elapsed + delay < job.policy.deadline().toNanos() && job.state.compareAndSet(Job.IN_FLIGHT, Job.WAITING)) {
        job.messages.forEach(message ->
            listener.onRetry(message, job.connection, job.attempts, Duration.ofNanos(delay), cause));
        log.debug("{} attempt {} failed, retrying in {} ms: {}", describe(job.messages, job.connection),
            job.attempts, delay / 1_000_000, cause.toString());
        try {
          timer.schedule(() -> execute(job), delay, TimeUnit.NANOSECONDS);
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
    BroadcastException error = wrap(describe(job.messages, job.connection) + why, cause);
    log.error(error.getMessage(), cause);
    for (BroadcastMessage message : job.messages) {
      FailedBroadcast failure = new FailedBroadcast(message, job.connection, job.attempts, error);
      listener.onFailed(failure);
      report(failure);
    }
    job.done.completeExceptionally(error);
  }

  private CompletableFuture<Void> reject(String connection, List<BroadcastMessage> messages, String why) {
    BroadcastException error = new BroadcastException(describe(messages, connection) + " was not queued: " + why);
    rejectionLog.warn(error.getMessage(), messages.size());
    for (BroadcastMessage message : messages) {
      FailedBroadcast failure = new FailedBroadcast(message, connection, 0, error);
      listener.onRejected(failure);
      report(failure);
    }
    return CompletableFuture.failedFuture(error);
  }

  private static CompletableFuture<Void> publish(BroadcastDriver driver, List<BroadcastMessage> messages) {
    return messages.size() == 1 ? driver.publish(messages.get(0)) : driver.publishAll(messages);
  }

  /** Keeps the driver's verdict (retryable, status) on the exception that names the event. */
  private static BroadcastException wrap(String message, Throwable cause) {
    boolean retryable = cause instanceof BroadcastException && ((BroadcastException) cause).isRetryable();
    BroadcastException known = cause instanceof BroadcastException ? (BroadcastException) cause : null;
    return new BroadcastException(message, cause, retryable, known == null ? 0 : known.httpStatus(),
        known == null ? 0 : known.providerCode());
  }

  private void report(FailedBroadcast failure) {
    try {
      onFailure.accept(failure);
    } catch (RuntimeException e) {
      log.error("The failure handler threw while handling a failed broadcast", e);
    }
  }

  private void finish(Job job) {
    synchronized (lock) {
      for (String key : job.keys) {
        tails.remove(key, job.done);
      }
    }
    live.remove(job);
    capacity.release(job.messages.size(), job.bytes);
  }

  static String describe(List<BroadcastMessage> messages, String connection) {
    if (messages.size() == 1) {
      BroadcastMessage message = messages.get(0);
      return "Broadcast of " + message.describe() + " as '" + message.event() + "' on " + message.channels()
          + " via connection '" + connection + "'";
    }
    return "Batch of " + messages.size() + " events " + messages.stream().map(BroadcastMessage::event)
        .collect(Collectors.toList()) + " via connection '" + connection + "'";
  }

  private static Throwable unwrap(Throwable error) {
    Throwable cause = error;
    while (cause instanceof CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    if (cause instanceof TimeoutException) {
      return BroadcastException.retryable("the driver gave no answer within the attempt timeout", cause);
    }
    return cause;
  }

  private static ThreadFactory daemon(String prefix) {
    AtomicInteger count = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, prefix + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }

  private static final class Job {
    final String connection;
    final BroadcastDriver driver;
    final List<BroadcastMessage> messages;
    /** One per channel: the (connection, channel) pairs whose order this job keeps. */
    final List<String> keys;
    final long bytes;
    final RetryPolicy policy;
    final long startNanos = System.nanoTime();
    final CompletableFuture<Void> done = new CompletableFuture<>();
    /** WAITING (queued or between attempts), IN_FLIGHT (the driver has it), SETTLED (reported once). */
    final AtomicInteger state = new AtomicInteger(WAITING);
    static final int WAITING = 0;
    static final int IN_FLIGHT = 1;
    static final int SETTLED = 2;
    volatile int attempts;

    Job(String connection, BroadcastDriver driver, List<BroadcastMessage> messages, RetryPolicy policy) {
      this.connection = connection;
      this.driver = driver;
      this.messages = messages;
      this.policy = policy;
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
  }
}
