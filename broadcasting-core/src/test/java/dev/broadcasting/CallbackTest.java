package dev.broadcasting;

import static org.assertj.core.api.Assertions.assertThat;

import dev.broadcasting.spi.BroadcastDriver;
import dev.broadcasting.testing.FakeTime;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Listeners and the failure handler: guarded, composed, and never on a driver's I/O thread. */
class CallbackTest {
  private final ExecutorService io = Executors.newSingleThreadExecutor(r -> new Thread(r, "driver-io"));
  private final FakeTime time = new FakeTime();

  @AfterEach
  void stop() {
    io.shutdownNow();
  }

  private static CompletableFuture<Void> send(Broadcaster broadcaster, String channel, int n) {
    return broadcaster.on(new Channel(channel)).as("E").with(Map.of("n", n)).send();
  }

  /** Answers on its own I/O thread, as OkHttp and lettuce do; fails the first {@code failures} calls. */
  private BroadcastDriver ioDriver(List<String> delivered, int failures) {
    AtomicInteger calls = new AtomicInteger();
    return message -> CompletableFuture.supplyAsync(() -> {
      if (calls.incrementAndGet() <= failures) {
        throw BroadcastException.retryable("blip", null);
      }
      delivered.add(message.payload());
      return null;
    }, io);
  }

  @Test
  void anOnSentThatThrowsDoesNotWedgeTheChannel() throws Exception {
    List<String> delivered = new CopyOnWriteArrayList<>();
    BroadcastListener throwing = new BroadcastListener() {
      @Override
      public void onSent(BroadcastEvent event, String connection, int attempts, long latencyNanos) {
        throw new IllegalStateException("listener bug");
      }
    };
    try (Broadcaster broadcaster = Broadcaster.builder().connection("main", ioDriver(delivered, 0))
        .listener(throwing).build()) {
      CompletableFuture<Void> first = send(broadcaster, "c", 1);
      CompletableFuture<Void> second = send(broadcaster, "c", 2);
      CompletableFuture<Void> third = send(broadcaster, "c", 3);
      CompletableFuture.allOf(first, second, third).get(10, TimeUnit.SECONDS);
      assertThat(broadcaster.queueDepth()).isZero();
    }
    assertThat(delivered).containsExactly("{\"n\":1}", "{\"n\":2}", "{\"n\":3}");
  }

  @Test
  void anOnQueuedThatThrowsDoesNotReachTheCallerAndTheEventIsSent() throws Exception {
    List<String> delivered = new CopyOnWriteArrayList<>();
    BroadcastListener throwing = new BroadcastListener() {
      @Override
      public void onQueued(BroadcastEvent event, String connection, int queueDepth) {
        throw new IllegalStateException("listener bug");
      }
    };
    try (Broadcaster broadcaster = Broadcaster.builder().connection("main", ioDriver(delivered, 0))
        .listener(throwing).build()) {
      send(broadcaster, "c", 1).get(10, TimeUnit.SECONDS);
    }
    assertThat(delivered).containsExactly("{\"n\":1}");
  }

  @Test
  void anOnRetryThatThrowsDoesNotStopTheRetries() throws Exception {
    List<String> delivered = new CopyOnWriteArrayList<>();
    AtomicInteger retries = new AtomicInteger();
    BroadcastListener throwing = new BroadcastListener() {
      @Override
      public void onRetry(BroadcastEvent event, String connection, int attempt, Duration delay, Throwable cause) {
        retries.incrementAndGet();
        throw new IllegalStateException("listener bug");
      }
    };
    // The driver answers at once: with an answer still on an I/O thread when the clock moves, the
    // attempt's timeout would be the next task, and a third retry would be the clock's doing.
    AtomicInteger calls = new AtomicInteger();
    BroadcastDriver failingTwice = message -> {
      if (calls.incrementAndGet() <= 2) {
        return CompletableFuture.failedFuture(BroadcastException.retryable("blip", null));
      }
      delivered.add(message.payload());
      return CompletableFuture.completedFuture(null);
    };
    try (Broadcaster broadcaster = Broadcaster.builder().connection("main", failingTwice)
        .listener(throwing).ticker(time).scheduler(time).build()) {
      FakeTimeRuns.run(time, send(broadcaster, "c", 1));
    }
    assertThat(retries).hasValue(2);
    assertThat(delivered).containsExactly("{\"n\":1}");
  }

  @Test
  void aSecondListenerAddsToTheFirstAndAThrowingOneHarmsNeither() throws Exception {
    List<String> seen = new CopyOnWriteArrayList<>();
    List<String> failures = new CopyOnWriteArrayList<>();
    BroadcastListener first = new BroadcastListener() {
      @Override
      public void onSent(BroadcastEvent event, String connection, int attempts, long latencyNanos) {
        seen.add("first " + event.payload());
        throw new IllegalStateException("listener bug");
      }
    };
    BroadcastListener second = new BroadcastListener() {
      @Override
      public void onSent(BroadcastEvent event, String connection, int attempts, long latencyNanos) {
        seen.add("second " + event.payload());
      }
    };
    BroadcastDriver refusing = message -> CompletableFuture.failedFuture(
        new BroadcastException("400 bad request", null, false, 400));
    try (Broadcaster broadcaster = Broadcaster.builder().connection("main", ioDriver(new CopyOnWriteArrayList<>(), 0))
        .connection("refusing", refusing).defaultConnection("main")
        .listener(first).listener(second)
        .onFailure(failed -> {
          failures.add(failed.event().name());
          throw new IllegalStateException("handler bug");
        }).build()) {
      send(broadcaster, "c", 1).get(10, TimeUnit.SECONDS);
      CompletableFuture<Void> refused = broadcaster.on(new Channel("c")).as("Refused").via("refusing").send();
      assertThat(refused).failsWithin(Duration.ofSeconds(10));
    }
    assertThat(seen).containsExactly("first {\"n\":1}", "second {\"n\":1}");
    assertThat(failures).containsExactly("Refused");
  }

  @Test
  void callbacksRunOnTheDispatchersThreadsNeverOnTheDriversIoThread() throws Exception {
    List<String> threads = new CopyOnWriteArrayList<>();
    BroadcastListener recording = new BroadcastListener() {
      @Override
      public void onSent(BroadcastEvent event, String connection, int attempts, long latencyNanos) {
        threads.add("onSent " + Thread.currentThread().getName());
      }

      @Override
      public void onFailed(FailedBroadcast failure) {
        threads.add("onFailed " + Thread.currentThread().getName());
      }
    };
    BroadcastDriver ioFailing = message -> CompletableFuture.supplyAsync(() -> {
      if (message.event().equals("Bad")) {
        throw new BroadcastException("400", null, false, 400);
      }
      return null;
    }, io);
    try (Broadcaster broadcaster = Broadcaster.builder().connection("main", ioFailing).listener(recording)
        .onFailure(failed -> threads.add("onFailure " + Thread.currentThread().getName())).build()) {
      send(broadcaster, "c", 1).get(10, TimeUnit.SECONDS);
      broadcaster.on(new Channel("c")).as("Bad").send().handle((ok, e) -> null).get(10, TimeUnit.SECONDS);
    }
    assertThat(threads).hasSize(3).allMatch(entry -> entry.contains(" broadcasting-dispatch-"));
  }

  @Test
  void aCallbackExecutorRunsEveryCallback() throws Exception {
    ExecutorService callbacks = Executors.newSingleThreadExecutor(r -> new Thread(r, "app-callbacks"));
    List<String> threads = new CopyOnWriteArrayList<>();
    BroadcastListener recording = new BroadcastListener() {
      @Override
      public void onQueued(BroadcastEvent event, String connection, int queueDepth) {
        threads.add(Thread.currentThread().getName());
      }

      @Override
      public void onSent(BroadcastEvent event, String connection, int attempts, long latencyNanos) {
        threads.add(Thread.currentThread().getName());
      }
    };
    try (Broadcaster broadcaster = Broadcaster.builder().connection("main", ioDriver(new CopyOnWriteArrayList<>(), 0))
        .listener(recording).callbackExecutor(callbacks).build()) {
      send(broadcaster, "c", 1).get(10, TimeUnit.SECONDS);
    }
    callbacks.shutdown();
    assertThat(callbacks.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    assertThat(threads).containsExactly("app-callbacks", "app-callbacks");
  }
}
