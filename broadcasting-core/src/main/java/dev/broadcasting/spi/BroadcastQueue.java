package dev.broadcasting.spi;

import dev.broadcasting.BroadcastException;
import dev.broadcasting.QueueStats;
import dev.broadcasting.RetryPolicy;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * Where an accepted broadcast waits for its driver, when it must outlive the process: a durable
 * queue such as {@code broadcasting-queue-redis}. Without one, queued events wait in the
 * broadcaster's memory. {@code ShouldBroadcastNow} events never enter it, as in Laravel.
 *
 * <pre>{@code
 * Broadcaster broadcaster = Broadcaster.builder()
 *     .connection("pusher", "pusher", settings)
 *     .queue(RedisStreamQueue.builder().uri("redis://127.0.0.1:6379").build())
 *     .build();
 * }</pre>
 *
 * <p>The broadcaster calls {@link #start(Delivery)} (or, with listeners, {@link #start(Delivery, Consumer)}) once when it is built, {@link #enqueue} for every queued
 * unit, and on close {@link #stop}, then drains its dispatcher, then {@link #close}. Workers hand
 * what they take back through {@link Delivery}, so the retry policy, the attempt timeout,
 * cancellation, listeners and the failure handler apply to a durable event as to any other.
 */
public interface BroadcastQueue extends AutoCloseable {

  /** How the queue's workers send an event: the broadcaster's own dispatcher. */
  interface Delivery {
    /**
     * Sends {@code messages} (one connection's unit) through the dispatcher with {@code policy};
     * the future completes when delivered, or fails once the event failed for good or the
     * broadcaster closed. A connection this broadcaster does not have fails it, not retryable.
     */
    CompletableFuture<Void> deliver(String connection, List<BroadcastMessage> messages, RetryPolicy policy);
  }

  /** Found by {@code BROADCAST_QUEUE=<name>}, listed in {@code META-INF/services}. */
  interface Provider {
    String name();

    BroadcastQueue create(DriverSettings settings);

    /**
     * The provider of the queue called {@code name} on the class path; else an error naming the
     * queues found and the Maven dependency to add.
     */
    static Provider named(String name) {
      Map<String, Provider> found = new LinkedHashMap<>();
      for (Provider provider : ServiceLoader.load(Provider.class, Provider.class.getClassLoader())) {
        found.putIfAbsent(provider.name(), provider);
      }
      Provider provider = found.get(name);
      if (provider == null) {
        throw new BroadcastException("BROADCAST_QUEUE is '" + name + "', but the queues found are " + found.keySet()
            + " besides 'memory'. Add the queue's Maven dependency (dev.broadcasting:broadcasting-queue-" + name
            + ") or fix the name.");
      }
      return provider;
    }
  }

  /** Begins the workers of this process, if it runs any, delivering through {@code delivery}. */
  void start(Delivery delivery);

  /**
   * As {@link #start(Delivery)}, and reports the queue's depth and lag to {@code stats} at the
   * queue's own rate, bounded, when it can read them; the broadcaster calls this one when it has
   * listeners, for {@link dev.broadcasting.BroadcastListener#onQueueStats}. A queue that cannot
   * report them just starts.
   */
  default void start(Delivery delivery, Consumer<QueueStats> stats) {
    start(delivery);
  }

  /**
   * Stores {@code messages} for {@code connection} durably and returns once they are stored: the
   * "accepted" stage. Throws a {@link dev.broadcasting.BroadcastException} naming why when they
   * could not be stored (the store is down, or full). The future returned completes when the
   * events were delivered, or fails when they failed for good, as long as this process lives.
   */
  CompletableFuture<Void> enqueue(String connection, List<BroadcastMessage> messages, RetryPolicy policy);

  /** Stops taking new work; what the workers hold goes on, within {@code drainTimeout}. */
  void stop(Duration drainTimeout);

  /** Releases the queue's connections and threads, after the broadcaster's dispatcher drained. */
  @Override
  void close();
}
