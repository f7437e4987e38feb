package dev.broadcasting;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.broadcasting.spi.BroadcastDriver;
import dev.broadcasting.spi.BroadcastMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import dev.broadcasting.testing.FakeTime;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The queued dispatcher: order per channel, retries, back-pressure and close. The driver here is
 * scripted because these are core's own rules; each driver module repeats the faults against its
 * real peer.
 */
class DispatchTest {
  private static final RetryPolicy FAST = RetryPolicy.builder().maxAttempts(4).baseDelay(Duration.ofMillis(1))
      .maxDelay(Duration.ofMillis(5)).build();
  private final ExecutorService completions = Executors.newFixedThreadPool(4);
  private final List<FailedBroadcast> failures = new CopyOnWriteArrayList<>();

  @AfterEach
  void stop() {
    completions.shutdownNow();
  }

  /** Records what it is given and completes it as the script says, on another thread. */
  final class ScriptedDriver implements BroadcastDriver {
    final List<BroadcastMessage> delivered = new CopyOnWriteArrayList<>();
    final AtomicInteger calls = new AtomicInteger();
    volatile Function<BroadcastMessage, Throwable> failWith = m -> null;
    volatile long delayMicros;
    /** Answers on another thread, as a network client does; else before publish returns. */
    volatile boolean async;

    @Override
    public CompletableFuture<Void> publish(BroadcastMessage message) {
      calls.incrementAndGet();
      CompletableFuture<Void> result = new CompletableFuture<>();
      Runnable answer = () -> {
        if (delayMicros > 0) {
          sleepMicros(ThreadLocalRandom.current().nextLong(delayMicros + 1));
        }
        if (result.isCancelled()) {
          return; // as a real driver must: a cancelled request is not sent
        }
        Throwable failure = failWith.apply(message);
        if (failure == null) {
          delivered.add(message);
          result.complete(null);
        } else {
          result.completeExceptionally(failure);
        }
      };
      if (async) {
        completions.execute(answer);
      } else {
        answer.run();
      }
      return result;
    }
  }

  private final FakeTime time = new FakeTime();

  /** On fake time: back-off, timeouts and the close deadline pass only when the test moves the clock. */
  private Broadcaster.Builder builder(BroadcastDriver driver) {
    return Broadcaster.builder().connection("main", driver).retry(FAST).onFailure(failures::add)
        .ticker(time).scheduler(time);
  }

  private <T> T run(CompletableFuture<T> future) throws Exception {
    return FakeTimeRuns.run(time, future);
  }

  /** Closes on another thread, as fake time will not let close's deadline pass by itself. */
  private CompletableFuture<Void> closing(Broadcaster broadcaster) {
    return CompletableFuture.runAsync(broadcaster::close, completions);
  }

  private static CompletableFuture<Void> send(Broadcaster broadcaster, String channel, Object payload) {
    return broadcaster.on(new Channel(channel)).as("E").with(payload).send();
  }

  @Test
  void keepsOrderPerChannelUnderEightThreadsBroadcastingAtOnce() throws Exception {
    ScriptedDriver driver = new ScriptedDriver();
    driver.delayMicros = 50;
    driver.async = true;
    int threads = 8;
    int perThread = 1_500;
    try (Broadcaster broadcaster = builder(driver).queueCapacity(100_000).build()) {
      ExecutorService producers = Executors.newFixedThreadPool(threads);
      CountDownLatch start = new CountDownLatch(1);
      List<CompletableFuture<Void>> sent = new CopyOnWriteArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        producers.execute(() -> {
          await(start);
          for (int seq = 0; seq < perThread; seq++) {
            String channel = "ch." + (seq % 12);
            sent.add(send(broadcaster, channel, Map.of("thread", thread, "seq", seq)));
          }
        });
      }
      start.countDown();
      producers.shutdown();
      assertThat(producers.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
      CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
    }
    assertThat(driver.delivered).hasSize(threads * perThread);
    // for every channel, each producer's events arrive in the order that producer broadcast them
    Map<String, Integer> lastSeq = new ConcurrentHashMap<>();
    for (BroadcastMessage message : driver.delivered) {
      String channel = message.channels().get(0).name();
      int thread = field(message, "thread");
      int seq = field(message, "seq");
      Integer previous = lastSeq.put(channel + "/" + thread, seq);
      assertThat(previous == null ? -1 : previous).as("%s of thread %d", channel, thread).isLessThan(seq);
    }
  }

  @Test
  void retriesARetryableFailureAndReportsEachRetry() throws Exception {
    ScriptedDriver driver = new ScriptedDriver();
    AtomicInteger attempts = new AtomicInteger();
    driver.failWith = m -> attempts.incrementAndGet() < 3 ? BroadcastException.retryable("503 from the service", null) : null;
    List<Integer> retried = new CopyOnWriteArrayList<>();
    BroadcastListener listener = new BroadcastListener() {
      @Override
      public void onRetry(BroadcastEvent message, String connection, int attempt, Duration delay, Throwable cause) {
        retried.add(attempt);
      }
    };
    try (Broadcaster broadcaster = builder(driver).listener(listener).build()) {
      run(send(broadcaster, "c", Map.of("a", 1)));
    }
    assertThat(driver.calls).hasValue(3);
    assertThat(retried).containsExactly(1, 2);
    assertThat(driver.delivered).hasSize(1);
    assertThat(failures).isEmpty();
  }

  @Test
  void aFailureThatIsNotRetryableFailsAtOnceAndReachesTheFailureHandlerOnce() {
    ScriptedDriver driver = new ScriptedDriver();
    driver.failWith = m -> new BroadcastException("401 bad credentials", null, false, 401);
    CompletableFuture<Void> sent;
    try (Broadcaster broadcaster = builder(driver).build()) {
      sent = send(broadcaster, "orders", Map.of());
      assertThatThrownBy(sent::join).hasCauseInstanceOf(BroadcastException.class)
          .hasMessageContaining("'E' on [orders] via connection 'main' failed after 1 attempt: 401 bad credentials");
    }
    assertThat(driver.calls).hasValue(1);
    assertThat(failures).hasSize(1);
    assertThat(failures.get(0).attempts()).isEqualTo(1);
    assertThat(failures.get(0).cause().status()).isEqualTo(401);
  }

  @Test
  void givesUpAfterTheLastAttempt() {
    ScriptedDriver driver = new ScriptedDriver();
    driver.failWith = m -> new IllegalStateException("connection reset");
    try (Broadcaster broadcaster = builder(driver).build()) {
      assertThatThrownBy(() -> run(send(broadcaster, "c", Map.of())))
          .hasMessageContaining("failed after 4 attempts: connection reset");
    }
    assertThat(driver.calls).hasValue(4);
    assertThat(failures).hasSize(1);
  }

  @Test
  void aRetryHoldsBackItsOwnChannelOnly() throws Exception {
    ScriptedDriver driver = new ScriptedDriver();
    AtomicInteger firstAttempts = new AtomicInteger();
    driver.failWith = m -> m.payload().contains("first") && firstAttempts.incrementAndGet() < 3
        ? BroadcastException.retryable("timeout", null) : null;
    RetryPolicy slow = RetryPolicy.builder().maxAttempts(5).baseDelay(Duration.ofMillis(100))
        .maxDelay(Duration.ofMillis(100)).build();
    try (Broadcaster broadcaster = builder(driver).retry(slow).build()) {
      CompletableFuture<Void> first = send(broadcaster, "held", Map.of("n", "first"));
      CompletableFuture<Void> second = send(broadcaster, "held", Map.of("n", "second"));
      CompletableFuture<Void> other = send(broadcaster, "free", Map.of("n", "other"));
      other.get(10, TimeUnit.SECONDS); // the clock has not moved: "first" waits for its retry
      assertThat(second).as("behind the retry of its channel").isNotDone();
      run(CompletableFuture.allOf(first, second));
    }
    assertThat(driver.delivered).extracting(BroadcastMessage::payload)
        .containsExactly("{\"n\":\"other\"}", "{\"n\":\"first\"}", "{\"n\":\"second\"}");
  }

  @Test
  void aFullQueueFailsTheCallAtOnceWhenToldToAndReportsTheEvent() {
    CompletableFuture<Void> gate = new CompletableFuture<>();
    BroadcastDriver stuck = message -> gate;
    try (Broadcaster broadcaster = builder(stuck).queueCapacity(2).failWhenFull().drainTimeout(Duration.ofSeconds(5)).build()) {
      CompletableFuture<Void> a = send(broadcaster, "a", Map.of());
      CompletableFuture<Void> b = send(broadcaster, "b", Map.of());
      CompletableFuture<Void> c = send(broadcaster, "c", Map.of());
      assertThat(c).isCompletedExceptionally();
      assertThatThrownBy(c::join).hasMessageContaining("was not queued: the queue is full (2 events");
      assertThat(failures).hasSize(1);
      assertThat(failures.get(0).attempts()).isZero();
      gate.complete(null);
      CompletableFuture.allOf(a, b).join();
    }
    assertThat(failures).hasSize(1);
  }

  @Test
  void aFullQueueBlocksTheCallerUntilThereIsRoom() throws Exception {
    CompletableFuture<Void> gate = new CompletableFuture<>();
    ScriptedDriver delivered = new ScriptedDriver();
    BroadcastDriver gated = message -> gate.thenCompose(ok -> delivered.publish(message));
    try (Broadcaster broadcaster = builder(gated).queueCapacity(1).blockWhenFull(Duration.ofSeconds(10)).build()) {
      send(broadcaster, "a", Map.of("n", 1));
      CompletableFuture<CompletableFuture<Void>> blocked = new CompletableFuture<>();
      Thread producer = new Thread(() -> blocked.complete(send(broadcaster, "b", Map.of("n", 2))));
      producer.start();
      while (producer.getState() != Thread.State.TIMED_WAITING) {
        Thread.onSpinWait();
      }
      assertThat(blocked).as("the producer waits for room").isNotDone();
      gate.complete(null);
      blocked.get(10, TimeUnit.SECONDS).get(10, TimeUnit.SECONDS);
    }
    assertThat(delivered.delivered).hasSize(2);
    assertThat(failures).isEmpty();
  }

  @Test
  void theQueueIsBoundedInBytesToo() {
    CompletableFuture<Void> gate = new CompletableFuture<>();
    BroadcastDriver stuck = message -> gate;
    String text = "x".repeat(100);
    try (Broadcaster broadcaster = builder(stuck).queueMaxBytes(150).failWhenFull().build()) {
      CompletableFuture<Void> first = send(broadcaster, "a", Map.of("t", text));
      CompletableFuture<Void> second = send(broadcaster, "b", Map.of("t", text));
      assertThat(first).isNotDone();
      assertThat(second).isCompletedExceptionally();
      assertThat(broadcaster.queueDepth()).isEqualTo(1);
      gate.complete(null);
      first.join();
    }
  }

  @Test
  void closeUnderLoadAccountsForEveryEventExactly() throws Exception {
    ScriptedDriver driver = new ScriptedDriver();
    driver.delayMicros = 2_000;
    driver.async = true;
    int total = 2_000;
    List<CompletableFuture<Void>> sent = new ArrayList<>();
    // real time on purpose: this is the race of a live driver against the close deadline
    Broadcaster broadcaster = Broadcaster.builder().connection("main", driver).retry(FAST).onFailure(failures::add)
        .dispatchThreads(2).queueCapacity(total).drainTimeout(Duration.ofMillis(300)).build();
    for (int i = 0; i < total; i++) {
      sent.add(send(broadcaster, "c" + (i % 3), Map.of("i", i)));
    }
    broadcaster.close();
    // a worker that won its event's last race just before the deadline completes its future right after
    CompletableFuture.allOf(sent.stream().map(f -> f.handle((ok, e) -> null)).toArray(CompletableFuture[]::new))
        .get(10, TimeUnit.SECONDS);
    long completedOk = sent.stream().filter(f -> f.isDone() && !f.isCompletedExceptionally()).count();
    long failed = sent.stream().filter(CompletableFuture::isCompletedExceptionally).count();
    assertThat(completedOk + failed).isEqualTo(total);
    assertThat(failed).isEqualTo(failures.size()).isPositive();
    // a request cancelled at close may have reached the service an instant before: said so, never hidden
    long cancelledInFlight = failures.stream().filter(f -> f.cause().getMessage().contains("may or may not")).count();
    assertThat((long) driver.delivered.size()).isPositive().isBetween(completedOk, completedOk + cancelledInFlight);
    assertThat(send(broadcaster, "late", Map.of())).isCompletedExceptionally();
    assertThat(failures).hasSize((int) failed + 1);
  }

  @Test
  void aQueuedBroadcastNeverThrowsTheDriversErrorIntoTheCaller() {
    BroadcastDriver throwing = message -> {
      throw new IllegalStateException("driver bug");
    };
    try (Broadcaster broadcaster = builder(throwing).retry(RetryPolicy.none()).build()) {
      CompletableFuture<Void> sent = send(broadcaster, "c", Map.of());
      assertThatThrownBy(sent::join).hasMessageContaining("driver bug");
    }
    assertThat(failures).hasSize(1);
  }

  record Now(String x) implements ShouldBroadcastNow {
    @Override
    public List<Channel> broadcastOn() {
      return List.of(new Channel("now"));
    }
  }

  @Test
  void shouldBroadcastNowSurfacesTheErrorToTheCaller() {
    ScriptedDriver driver = new ScriptedDriver();
    driver.failWith = m -> new BroadcastException("503", null, true, 503);
    try (Broadcaster broadcaster = builder(driver).build()) {
      CompletableFuture<Void> sent = broadcaster.broadcast(new Now("x"));
      assertThat(sent).isCompletedExceptionally();
      assertThatThrownBy(sent::join).hasCauseInstanceOf(BroadcastException.class)
          .hasMessageContaining(Now.class.getName()).hasMessageContaining("failed after 1 attempt: 503");
    }
    assertThat(driver.calls).hasValue(1);
    assertThat(failures).as("a ShouldBroadcastNow failure reaches onFailure too").hasSize(1);
    assertThat(failures.get(0).event().source()).isEqualTo(new Now("x"));
  }

  @Test
  void aShouldBroadcastNowEventGoesAfterTheEventsQueuedBeforeItOnItsChannel() throws Exception {
    CountDownLatch inFirstCall = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    List<String> published = new CopyOnWriteArrayList<>();
    BroadcastDriver holdsItsFirstCall = new BroadcastDriver() {
      @Override
      public CompletableFuture<Void> publish(BroadcastMessage message) {
        published.add(message.payload());
        if (published.size() == 1) {
          inFirstCall.countDown();
          await(release);
        }
        return CompletableFuture.completedFuture(null);
      }
    };
    try (Broadcaster broadcaster = builder(holdsItsFirstCall).build()) {
      List<CompletableFuture<Void>> sent = new ArrayList<>();
      sent.add(send(broadcaster, "now", Map.of("x", "1")));
      await(inFirstCall);
      // the dispatch thread is in the driver: these two wait in the intake, not yet in their channel's line
      sent.add(send(broadcaster, "now", Map.of("x", "2")));
      sent.add(send(broadcaster, "now", Map.of("x", "3")));
      CompletableFuture<Void> now = broadcaster.broadcast(new Now("4"));
      assertThat(now).as("events are queued before it on its channel: it waits its turn").isNotDone();
      sent.add(now);
      release.countDown();
      CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
    }
    assertThat(published).containsExactly("{\"x\":\"1\"}", "{\"x\":\"2\"}", "{\"x\":\"3\"}", "{\"x\":\"4\"}");
  }

  /**
   * On a pipelining connection an event ahead may be in flight but not yet written: a drain has
   * taken it and is still in the driver. A {@code ShouldBroadcastNow} event behind it must not be
   * written first from its caller's thread. The driver notes each message when its call returns,
   * as a connection has written it then.
   */
  @Test
  void onAPipeliningConnectionANowEventIsNotWrittenBeforeAnEventAheadThatIsStillBeingWritten() throws Exception {
    CountDownLatch inFirstCall = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger calls = new AtomicInteger();
    List<String> written = new CopyOnWriteArrayList<>();
    BroadcastDriver pipelining = new BroadcastDriver() {
      @Override
      public CompletableFuture<Void> publish(BroadcastMessage message) {
        if (calls.incrementAndGet() == 1) {
          inFirstCall.countDown();
          await(release);
        }
        written.add(message.payload());
        return CompletableFuture.completedFuture(null);
      }

      @Override
      public boolean keepsOrder() {
        return true;
      }
    };
    try (Broadcaster broadcaster = builder(pipelining).build()) {
      CompletableFuture<Void> first = send(broadcaster, "now", Map.of("x", "1"));
      await(inFirstCall);
      CompletableFuture<Void> now = broadcaster.broadcast(new Now("2"));
      release.countDown();
      CompletableFuture.allOf(first, now).get(10, TimeUnit.SECONDS);
    }
    assertThat(written).containsExactly("{\"x\":\"1\"}", "{\"x\":\"2\"}");
  }

  @Test
  void anAttemptWithNoAnswerTimesOutAndIsRetried() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    CompletableFuture<Void> hanging = new CompletableFuture<>();
    BroadcastDriver firstHangs = message -> calls.incrementAndGet() == 1
        ? hanging : CompletableFuture.completedFuture(null);
    try (Broadcaster broadcaster = builder(firstHangs).attemptTimeout(Duration.ofMillis(50)).build()) {
      run(send(broadcaster, "c", Map.of()));
    }
    assertThat(calls).hasValue(2);
    assertThat(hanging).as("the driver's own future is the one cancelled").isCancelled();
  }

  @Test
  void anEventMayCarryItsOwnRetryPolicy() {
    ScriptedDriver driver = new ScriptedDriver();
    driver.failWith = m -> BroadcastException.retryable("down", null);
    record Patient(String x) implements ShouldBroadcast {
      @Override
      public List<Channel> broadcastOn() {
        return List.of(new Channel("p"));
      }

      @Override
      public RetryPolicy broadcastRetry() {
        return RetryPolicy.builder().maxAttempts(2).baseDelay(Duration.ofMillis(1)).build();
      }
    }
    try (Broadcaster broadcaster = builder(driver).build()) {
      assertThatThrownBy(() -> run(broadcaster.broadcast(new Patient("x")))).hasMessageContaining("after 2 attempts");
    }
    assertThat(driver.calls).hasValue(2);
  }

  @Test
  void theListenerSeesEveryStageWithCounts() throws Exception {
    AtomicInteger queued = new AtomicInteger();
    AtomicInteger sent = new AtomicInteger();
    AtomicInteger retried = new AtomicInteger();
    AtomicInteger failed = new AtomicInteger();
    AtomicInteger rejected = new AtomicInteger();
    List<Integer> depths = new CopyOnWriteArrayList<>();
    List<Long> latencies = new CopyOnWriteArrayList<>();
    BroadcastListener listener = new BroadcastListener() {
      @Override
      public void onQueued(BroadcastEvent message, String connection, int queueDepth) {
        queued.incrementAndGet();
        depths.add(queueDepth);
      }

      @Override
      public void onSent(BroadcastEvent message, String connection, int attempts, long latencyNanos) {
        sent.incrementAndGet();
        latencies.add(latencyNanos);
      }

      @Override
      public void onRetry(BroadcastEvent message, String connection, int attempt, Duration delay, Throwable cause) {
        retried.incrementAndGet();
      }

      @Override
      public void onFailed(FailedBroadcast failure) {
        failed.incrementAndGet();
      }

      @Override
      public void onRejected(FailedBroadcast failure) {
        rejected.incrementAndGet();
      }
    };
    ScriptedDriver driver = new ScriptedDriver();
    AtomicInteger calls = new AtomicInteger();
    // the 3rd call fails once (retried), every "bad" event fails for good
    driver.failWith = m -> m.payload().contains("bad") ? new BroadcastException("400", null, false, 400)
        : calls.incrementAndGet() == 3 ? BroadcastException.retryable("blip", null) : null;
    Broadcaster broadcaster = builder(driver).listener(listener).build();
    List<CompletableFuture<Void>> all = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      all.add(send(broadcaster, "c", Map.of("n", i)));
    }
    all.add(send(broadcaster, "c", Map.of("n", "bad")));
    run(CompletableFuture.allOf(all.stream().map(f -> f.handle((ok, e) -> null)).toArray(CompletableFuture[]::new)));
    broadcaster.close();
    send(broadcaster, "c", Map.of("n", "late"));

    assertThat(queued).hasValue(11);
    assertThat(depths).allMatch(depth -> depth >= 1 && depth <= 11);
    assertThat(sent).hasValue(10);
    assertThat(latencies).allMatch(nanos -> nanos >= 0).anyMatch(nanos -> nanos > 0);
    assertThat(retried).hasValue(1);
    assertThat(failed).hasValue(1);
    assertThat(rejected).hasValue(1);
    assertThat(failures).hasSize(2);
  }

  @Test
  void aDriverSlowerThanTheProducersFillsTheQueueAndMemoryStaysBounded() throws Exception {
    ScriptedDriver slow = new ScriptedDriver();
    slow.delayMicros = 400;
    slow.async = true;
    int producers = 4;
    int perProducer = 10_000;
    int capacity = 500;
    String text = "y".repeat(1_000);
    java.lang.management.MemoryMXBean memory = java.lang.management.ManagementFactory.getMemoryMXBean();
    System.gc();
    long heapBefore = memory.getHeapMemoryUsage().getUsed();
    AtomicInteger rejected = new AtomicInteger();
    AtomicInteger accepted = new AtomicInteger();
    AtomicInteger reported = new AtomicInteger();
    long retainedWhileFull;
    try (Broadcaster broadcaster = Broadcaster.builder().connection("main", slow).queueCapacity(capacity)
        .failWhenFull().onFailure(failed -> reported.incrementAndGet()).drainTimeout(Duration.ofSeconds(60))
        .ticker(time).scheduler(time).build()) {
      ExecutorService pool = Executors.newFixedThreadPool(producers);
      for (int p = 0; p < producers; p++) {
        int producer = p;
        pool.execute(() -> {
          for (int i = 0; i < perProducer; i++) {
            CompletableFuture<Void> sent = send(broadcaster, "c" + (i % 20), Map.of("p", producer, "i", i, "t", text));
            (sent.isCompletedExceptionally() ? rejected : accepted).incrementAndGet();
          }
        });
      }
      pool.shutdown();
      assertThat(pool.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
      assertThat(broadcaster.queueDepth()).isLessThanOrEqualTo(capacity);
      System.gc();
      retainedWhileFull = memory.getHeapMemoryUsage().getUsed() - heapBefore;
    }
    System.out.printf("slow driver: %d accepted, %d refused, heap retained while full %.1f MiB%n",
        accepted.get(), rejected.get(), retainedWhileFull / 1048576.0);
    // at most 500 queued events of ~1 KB: far below 16 MiB, where 40,000 kept events would be ~50 MiB
    assertThat(retainedWhileFull).isLessThan(16L * 1024 * 1024);
    int total = producers * perProducer;
    assertThat(rejected.get()).isPositive();
    assertThat(accepted.get() + rejected.get()).isEqualTo(total);
    assertThat(slow.delivered).hasSize(accepted.get());
    assertThat(reported).hasValue(rejected.get());
  }

  record Numbered(int n, String channel) implements ShouldBroadcast {
    @Override
    public List<Channel> broadcastOn() {
      return List.of(new Channel(channel));
    }
  }

  @Test
  void broadcastAllHandsTheDriverOneBatchInOrderAfterEarlierEventsOnItsChannels() throws Exception {
    List<List<String>> batches = new CopyOnWriteArrayList<>();
    CompletableFuture<Void> gate = new CompletableFuture<>();
    BroadcastDriver batching = new BroadcastDriver() {
      @Override
      public CompletableFuture<Void> publish(BroadcastMessage message) {
        batches.add(List.of(message.payload()));
        return gate;
      }

      @Override
      public CompletableFuture<Void> publishAll(List<BroadcastMessage> messages) {
        batches.add(messages.stream().map(BroadcastMessage::payload).collect(java.util.stream.Collectors.toList()));
        return CompletableFuture.completedFuture(null);
      }
    };
    try (Broadcaster broadcaster = builder(batching).build()) {
      CompletableFuture<Void> first = broadcaster.broadcast(new Numbered(0, "a"));
      CompletableFuture<Void> all = broadcaster.broadcastAll(
          List.of(new Numbered(1, "a"), new Numbered(2, "b"), new Numbered(3, "a")));
      assertThat(all).as("the batch waits for the event before it on channel a").isNotDone();
      assertThat(broadcaster.queueDepth()).isEqualTo(4);
      gate.complete(null);
      CompletableFuture.allOf(first, all).get(10, TimeUnit.SECONDS);
    }
    assertThat(batches).containsExactly(
        List.of("{\"n\":0,\"channel\":\"a\"}"),
        List.of("{\"n\":1,\"channel\":\"a\"}", "{\"n\":2,\"channel\":\"b\"}", "{\"n\":3,\"channel\":\"a\"}"));
  }

  @Test
  void broadcastAllChecksEveryConnectionBeforeQueueingAny() {
    ScriptedDriver driver = new ScriptedDriver();
    record Elsewhere(int n) implements ShouldBroadcast {
      @Override
      public List<Channel> broadcastOn() {
        return List.of(new Channel("x"));
      }

      @Override
      public List<String> broadcastConnections() {
        return List.of("missing");
      }
    }
    try (Broadcaster broadcaster = builder(driver).build()) {
      assertThatThrownBy(() -> broadcaster.broadcastAll(List.of(new Numbered(1, "a"), new Elsewhere(2))))
          .hasMessageContaining("connection 'missing'");
    }
    assertThat(driver.calls).hasValue(0);
  }

  private static int field(BroadcastMessage message, String name) {
    try {
      return new com.fasterxml.jackson.databind.ObjectMapper().readTree(message.payload()).get(name).asInt();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void sleepMicros(long micros) {
    try {
      TimeUnit.MICROSECONDS.sleep(micros);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
