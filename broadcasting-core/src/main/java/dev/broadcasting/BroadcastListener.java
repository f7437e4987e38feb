package dev.broadcasting;

import java.time.Duration;

/**
 * Observes the dispatcher, for metrics and tracing. Each call is guarded: a listener that throws
 * is logged and changes nothing else, neither the event nor the other listeners. Several
 * listeners may be added; each sees every call, in the order they were added.
 *
 * <p>Threads: {@link #onQueued} and {@link #onRejected} run on the thread that called
 * {@code broadcast}, before it returns; {@link #onQueueStats} on the durable queue's; the others run on the dispatcher's own threads, never on a
 * driver's I/O thread. With {@link Broadcaster.Builder#callbackExecutor} every call runs on that
 * executor instead. Return quickly either way.
 *
 * <pre>{@code
 * Broadcaster.builder()
 *     .listener(new BroadcastListener() {
 *       public void onSent(BroadcastEvent event, String connection, int attempts, long latencyNanos) {
 *         sentTimer.record(latencyNanos, TimeUnit.NANOSECONDS);
 *       }
 *     })
 * }</pre>
 */
public interface BroadcastListener {

  /** An event entered the queue; {@code queueDepth} counts it. */
  default void onQueued(BroadcastEvent event, String connection, int queueDepth) {}

  /** The driver accepted the event, {@code latencyNanos} after it entered the dispatcher. */
  default void onSent(BroadcastEvent event, String connection, int attempts, long latencyNanos) {}

  /** Attempt {@code attempt} failed with a retryable error; the next starts after {@code delay}. */
  default void onRetry(BroadcastEvent event, String connection, int attempt, Duration delay, Throwable cause) {}

  /** The event failed for good after its last attempt, or was not delivered before close. */
  default void onFailed(FailedBroadcast failure) {}

  /** The event was refused at intake: the queue was full or the broadcaster closed. */
  default void onRejected(FailedBroadcast failure) {}

  /**
   * The durable queue's depth and lag, read from its store, at most once per the queue's report
   * interval (for {@code RedisStreamQueue}, its {@code statsEvery}, 5 s by default); only from a
   * queue that can report them, and only while some listener is added. Runs on the queue's report
   * thread, or on the callback executor.
   */
  default void onQueueStats(QueueStats stats) {}
}
