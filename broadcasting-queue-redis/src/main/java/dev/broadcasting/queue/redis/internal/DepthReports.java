package dev.broadcasting.queue.redis.internal;

import dev.broadcasting.Scheduler;
import java.time.Duration;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the application the queue's depth and lag every {@code every}, no more often: the next
 * report is scheduled only once the last one ran, so a slow Redis or a slow callback only makes
 * them rarer. A report that cannot be read (Redis away) or a callback that throws is logged and
 * the next one comes as usual.
 *
 * <pre>{@code
 * new DepthReports<>(queue::stats, Duration.ofSeconds(1), scheduler, stats -> gauge.set(stats.depth()));
 * }</pre>
 *
 * @param <T> what a report holds
 */
public final class DepthReports<T> implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DepthReports.class);

  private final Supplier<T> read;
  private final Duration every;
  private final Scheduler scheduler;
  private final Consumer<T> callback;
  private Future<?> next;
  private boolean closed;
  private long quietUntil;

  public DepthReports(Supplier<T> read, Duration every, Scheduler scheduler, Consumer<T> callback) {
    this.read = read;
    this.every = every;
    this.scheduler = scheduler;
    this.callback = callback;
    this.quietUntil = System.nanoTime();
  }

  public synchronized void start() {
    next = scheduler.schedule(this::report, every);
  }

  private void report() {
    try {
      callback.accept(read.get());
    } catch (RuntimeException e) {
      long now = System.nanoTime();
      if (now - quietUntil >= 0) {
        log.warn("The durable queue's depth report failed ({}); the next comes in {}", e.toString(), every);
        quietUntil = now + every.toNanos() * 10;
      }
    }
    synchronized (this) {
      if (!closed) {
        next = scheduler.schedule(this::report, every);
      }
    }
  }

  @Override
  public synchronized void close() {
    closed = true;
    if (next != null) {
      next.cancel(false);
    }
  }
}
