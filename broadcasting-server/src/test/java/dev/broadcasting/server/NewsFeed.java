package dev.broadcasting.server;

import dev.broadcasting.Channel;
import dev.broadcasting.spi.BroadcastMessage;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The recovery tests' server: app {@code 1} (key {@code key-1}) whose channel {@code news} keeps
 * history, and {@code Tick} events numbered 1, 2, 3… published on it, one at a time or at a steady
 * rate from a thread of their own.
 *
 * <pre>{@code
 * try (NewsFeed.Steady steady = NewsFeed.steady(server, 300)) { steady.awaitPublished(30); ... }
 * }</pre>
 */
final class NewsFeed {
  static final String KEY = "key-1";
  static final String CHANNEL = "news";

  private NewsFeed() {
  }

  /** A started server keeping the last {@code maxEvents} of {@code news} for a minute. */
  static BroadcastServer start(int maxEvents) {
    return BroadcastServer.builder().host("127.0.0.1").port(0)
        .app(App.builder("1", KEY, "secret-1").history(CHANNEL, maxEvents, Duration.ofMinutes(1)).build())
        .build().start();
  }

  static void publish(BroadcastServer to, int n) {
    to.driver("1").publish(BroadcastMessage.of("Tick", List.of(Channel.of(CHANNEL)), "{\"n\":" + n + "}")).join();
  }

  /** Publishes 1..{@code until} every 10 ms from its own thread, starting now. */
  static Steady steady(BroadcastServer to, int until) {
    return new Steady(to, until);
  }

  /** A steady publisher; closing it stops it and waits for its thread. */
  static final class Steady implements AutoCloseable {
    private final AtomicInteger published = new AtomicInteger();
    private final Thread thread;
    private volatile boolean stopped;

    private Steady(BroadcastServer to, int until) {
      thread = new Thread(() -> {
        for (int n = 1; n <= until && !stopped; n++) {
          publish(to, n);
          published.set(n);
          LockSupport.parkNanos(10_000_000);
        }
      }, "steady-publisher");
      thread.start();
    }

    /** The last n published. */
    int published() {
      return published.get();
    }

    void awaitPublished(int n) {
      while (published.get() < n) {
        if (!thread.isAlive() && published.get() < n) {
          throw new IllegalStateException("the publisher stopped at " + published.get() + ", before " + n);
        }
        LockSupport.parkNanos(1_000_000);
      }
    }

    /** Waits until the publisher has published everything it was asked to. */
    void finish() throws InterruptedException {
      thread.join();
    }

    @Override
    public void close() throws InterruptedException {
      stopped = true;
      thread.join();
    }
  }
}
