package dev.broadcasting.internal;

import dev.broadcasting.BroadcastEvent;
import dev.broadcasting.BroadcastListener;
import dev.broadcasting.FailedBroadcast;
import dev.broadcasting.QueueStats;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The application's listeners and failure handler, called so that none of them can harm an event:
 * each call is guarded (a throw is logged, rate-limited, and changes nothing), and runs on the
 * given executor, or on the calling thread (a dispatcher's, or the durable queue's for
 * {@code onQueueStats}) when there is none.
 */
final class Callbacks {
  private static final Logger log = LoggerFactory.getLogger("dev.broadcasting.Broadcaster");

  private final List<BroadcastListener> listeners;
  private final Consumer<FailedBroadcast> onFailure;
  private final Executor executor;
  private final RateLimitedLog thrown;

  Callbacks(List<BroadcastListener> listeners, Consumer<FailedBroadcast> onFailure, Executor executor,
      dev.broadcasting.Ticker ticker) {
    this.listeners = List.copyOf(listeners);
    this.onFailure = onFailure;
    this.executor = executor;
    this.thrown = new RateLimitedLog(log, ticker, TimeUnit.SECONDS.toNanos(5));
  }

  void queued(List<BroadcastEvent> events, String connection, int depth) {
    if (!listeners.isEmpty()) {
      run("onQueued", () -> events.forEach(event -> each("onQueued", l -> l.onQueued(event, connection, depth))));
    }
  }

  void sent(List<BroadcastEvent> events, String connection, int attempts, long latencyNanos) {
    if (!listeners.isEmpty()) {
      run("onSent", () -> events.forEach(event ->
          each("onSent", l -> l.onSent(event, connection, attempts, latencyNanos))));
    }
  }

  void retry(List<BroadcastEvent> events, String connection, int attempt, Duration delay, Throwable cause) {
    if (!listeners.isEmpty()) {
      run("onRetry", () -> events.forEach(event ->
          each("onRetry", l -> l.onRetry(event, connection, attempt, delay, cause))));
    }
  }

  void queueStats(QueueStats stats) {
    if (!listeners.isEmpty()) {
      run("onQueueStats", () -> each("onQueueStats", l -> l.onQueueStats(stats)));
    }
  }

  /** The listeners' {@code onFailed} (or {@code onRejected}), then the failure handler, for each event. */
  void failed(List<FailedBroadcast> failures, boolean rejected) {
    run("onFailure", () -> {
      for (FailedBroadcast failure : failures) {
        if (rejected) {
          each("onRejected", l -> l.onRejected(failure));
        } else {
          each("onFailed", l -> l.onFailed(failure));
        }
        guarded("the failure handler", () -> onFailure.accept(failure));
      }
    });
  }

  private void each(String method, Consumer<BroadcastListener> call) {
    for (BroadcastListener listener : listeners) {
      guarded(listener.getClass().getName() + "." + method, () -> call.accept(listener));
    }
  }

  private void run(String what, Runnable calls) {
    if (executor == null) {
      calls.run();
      return;
    }
    try {
      executor.execute(calls);
    } catch (RejectedExecutionException e) {
      log.debug("The callback executor refused {}; running it on this thread", what, e);
      calls.run();
    }
  }

  private void guarded(String who, Runnable call) {
    try {
      call.run();
    } catch (VirtualMachineError fatal) {
      throw fatal;
    } catch (Throwable e) {
      thrown.error(who + " threw " + e + "; the event is unaffected", 1, e);
    }
  }
}
