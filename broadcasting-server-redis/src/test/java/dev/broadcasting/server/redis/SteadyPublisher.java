package dev.broadcasting.server.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

/**
 * Publishes n = 1..{@code last} at a steady pace from a thread of its own, each once the one
 * before was accepted, so that a test can drop, move or kill things while events flow:
 * {@code new SteadyPublisher(n -> publish(n % 3, n), 600, 1)}. {@link #stop} ends it sooner.
 */
final class SteadyPublisher {
  private final AtomicInteger published = new AtomicInteger();
  private final AtomicReference<Throwable> failed = new AtomicReference<>();
  private final AtomicBoolean stopped = new AtomicBoolean();
  private final Thread thread;

  /** Starts publishing with {@code publish}, one event every {@code pauseMillis}. */
  SteadyPublisher(IntConsumer publish, int last, long pauseMillis) {
    thread = new Thread(() -> {
      try {
        for (int n = 1; n <= last && !stopped.get(); n++) {
          publish.accept(n);
          published.set(n);
          LockSupport.parkNanos(pauseMillis * 1_000_000);
        }
      } catch (Throwable e) {
        failed.set(e);
      }
    }, "steady-publisher");
    thread.start();
  }

  /** The n of the last event published so far. */
  int published() {
    return published.get();
  }

  /** Waits until event {@code n} is published; fails if publishing failed or took over 20 s. */
  void await(int n) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (published.get() < n) {
      if (failed.get() != null) {
        throw new AssertionError("publishing failed after event " + published.get(), failed.get());
      }
      assertThat(System.nanoTime() - deadline).as("event %d published within 20 s", n).isNegative();
      LockSupport.parkNanos(1_000_000);
    }
  }

  /** Waits until {@code more} events more than now are published. */
  void awaitMore(int more) {
    await(published.get() + more);
  }

  /** Stops publishing; returns the n of the last event published. */
  int stop() throws InterruptedException {
    stopped.set(true);
    finish();
    return published.get();
  }

  /** Waits for the last event to be published, and fails if publishing failed. */
  void finish() throws InterruptedException {
    thread.join(TimeUnit.SECONDS.toMillis(30));
    assertThat(failed.get()).isNull();
    assertThat(thread.isAlive()).isFalse();
  }
}
