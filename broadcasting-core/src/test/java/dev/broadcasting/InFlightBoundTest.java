package dev.broadcasting;

import static org.assertj.core.api.Assertions.assertThat;

import dev.broadcasting.spi.BroadcastDriver;
import dev.broadcasting.spi.BroadcastMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A driver's bound on messages unanswered ({@link BroadcastDriver#maxUnanswered}) on a pipelined
 * connection with many busy channels: core never passes it, stops at it and goes on as answers
 * come back, and every event still arrives once, in order on its channel, through a retry too.
 */
class InFlightBoundTest {
  private static final int CHANNELS = 100;
  private static final int EVENTS = 40;
  private static final int BOUND = 24;

  /**
   * A connection that answers its commands one after another on its own thread, as Redis does,
   * counting the most it had unanswered at once. A command counts, as the SPI says, until its
   * future completes: answered, failed, or cancelled by core (the commands pipelined behind a
   * failed one are), even while the cancelled command still waits in line here. A failed command
   * fences its channel until it is sent again (as the Redis driver's order fence does), so a
   * retry cannot be overtaken.
   */
  static final class SocketDriver implements BroadcastDriver {
    record Command(BroadcastMessage message, Answer answer) {}

    /** A command's future, which leaves the count once, the moment it completes or is cancelled. */
    final class Answer extends CompletableFuture<Void> {
      private final AtomicBoolean counted = new AtomicBoolean(true);

      /** Before the future completes, so that no answer can make core send again while this still counts. */
      void uncount() {
        if (counted.compareAndSet(true, false)) {
          unanswered.decrementAndGet();
        }
      }

      @Override
      public boolean cancel(boolean mayInterrupt) {
        uncount();
        return super.cancel(mayInterrupt);
      }
    }

    final int bound;
    final AtomicInteger unanswered = new AtomicInteger();
    final AtomicInteger most = new AtomicInteger();
    final BlockingQueue<Command> commands = new LinkedBlockingQueue<>();
    final Map<String, List<String>> delivered = new ConcurrentHashMap<>();
    /** Payloads to fail once, on their first arrival. */
    final Map<String, Boolean> failOnce = new ConcurrentHashMap<>();
    /** Answers begin once the test opens it, so that what core sends before any answer is known. */
    final CountDownLatch open = new CountDownLatch(1);
    private final Map<String, String> fenced = new HashMap<>();
    private final Thread answering;

    SocketDriver(int bound) {
      this.bound = bound;
      answering = new Thread(this::answer, "fake-socket");
      answering.setDaemon(true);
      answering.start();
    }

    @Override
    public CompletableFuture<Void> publish(BroadcastMessage message) {
      Answer answer = new Answer();
      most.accumulateAndGet(unanswered.incrementAndGet(), Math::max);
      commands.add(new Command(message, answer));
      return answer;
    }

    @Override
    public List<CompletableFuture<Void>> publishBatch(List<BroadcastMessage> messages) {
      List<CompletableFuture<Void>> answers = new ArrayList<>(messages.size());
      messages.forEach(message -> answers.add(publish(message)));
      return answers;
    }

    private void answer() {
      try {
        open.await();
        while (true) {
          Command command = commands.take();
          String channel = command.message.channels().get(0).name();
          String payload = command.message.payload();
          String fence = fenced.get(channel);
          command.answer.uncount();
          if (fence != null && !fence.equals(payload)) {
            command.answer.completeExceptionally(BroadcastException.retryable("fenced behind " + fence, null));
          } else if (fence == null && failOnce.remove(payload) != null) {
            fenced.put(channel, payload);
            command.answer.completeExceptionally(BroadcastException.retryable("cut off", null));
          } else {
            fenced.remove(channel);
            if (command.answer.complete(null)) { // a command core cancelled is not published
              delivered.computeIfAbsent(channel, c -> new CopyOnWriteArrayList<>()).add(payload);
            }
          }
        }
      } catch (InterruptedException stop) {
        Thread.currentThread().interrupt();
      }
    }

    @Override
    public boolean keepsOrder() {
      return true;
    }

    @Override
    public int maxBatch() {
      return 8;
    }

    @Override
    public int maxUnanswered() {
      return bound;
    }

    @Override
    public void close() {
      answering.interrupt();
    }
  }

  private final List<String> retried = new CopyOnWriteArrayList<>();
  private final List<FailedBroadcast> failures = new CopyOnWriteArrayList<>();

  private Broadcaster broadcaster(BroadcastDriver driver) {
    return Broadcaster.builder().connection("main", driver).onFailure(failures::add)
        .retry(RetryPolicy.builder().maxAttempts(10).baseDelay(Duration.ofMillis(1)).maxDelay(Duration.ofMillis(5)).build())
        .listener(new BroadcastListener() {
          @Override
          public void onRetry(BroadcastEvent event, String connection, int attempt, Duration delay, Throwable cause) {
            retried.add(event.payload());
          }
        }).build();
  }

  /** Every event of every channel, channel by channel interleaved, as busy channels send them. */
  private static List<CompletableFuture<Void>> sendAll(Broadcaster broadcaster) {
    List<CompletableFuture<Void>> sent = new ArrayList<>();
    for (int n = 0; n < EVENTS; n++) {
      for (int c = 0; c < CHANNELS; c++) {
        sent.add(broadcaster.on(new Channel("c" + c)).as("E").with(Map.of("n", n)).send());
      }
    }
    return sent;
  }

  /** Opens the driver's answers once it has at least {@code count} commands unanswered, sent before any answer. */
  private static void answerOnceUnanswered(SocketDriver driver, int count) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (driver.unanswered.get() < count && System.nanoTime() < deadline) {
      Thread.sleep(1);
    }
    assertThat(driver.unanswered.get()).as("commands sent before any answer").isGreaterThanOrEqualTo(count);
    driver.open.countDown();
  }

  private void assertEveryEventOnceInOrder(SocketDriver driver, List<CompletableFuture<Void>> sent) throws Exception {
    CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
    assertThat(failures).isEmpty();
    assertThat(driver.delivered).hasSize(CHANNELS);
    List<String> expected = new ArrayList<>();
    for (int n = 0; n < EVENTS; n++) {
      expected.add("{\"n\":" + n + "}");
    }
    driver.delivered.forEach((channel, payloads) -> assertThat(payloads).as(channel).containsExactlyElementsOf(expected));
  }

  @Test
  void manyBusyChannelsNeverPassTheDriversBoundAndEveryEventArrivesOnceInOrder() throws Exception {
    SocketDriver driver = new SocketDriver(BOUND);
    try (Broadcaster broadcaster = broadcaster(driver)) {
      List<CompletableFuture<Void>> sent = sendAll(broadcaster);
      answerOnceUnanswered(driver, BOUND); // core went up to the bound before any answer
      assertEveryEventOnceInOrder(driver, sent);
    }
    assertThat(driver.most.get()).isEqualTo(BOUND);
    assertThat(retried).isEmpty();
  }

  @Test
  void aRetryAtTheBoundKeepsItsChannelsOrderAndTheOthersGoOn() throws Exception {
    SocketDriver driver = new SocketDriver(BOUND);
    driver.failOnce.put("{\"n\":5}", true); // the first channel to send its event 5 fails it once
    driver.failOnce.put("{\"n\":30}", true);
    try (Broadcaster broadcaster = broadcaster(driver)) {
      List<CompletableFuture<Void>> sent = sendAll(broadcaster);
      answerOnceUnanswered(driver, BOUND);
      assertEveryEventOnceInOrder(driver, sent);
    }
    assertThat(retried).contains("{\"n\":5}", "{\"n\":30}");
    assertThat(driver.most.get()).isEqualTo(BOUND);
  }

  @Test
  void withoutABoundTheSameLoadHasFarMoreUnanswered() throws Exception {
    SocketDriver driver = new SocketDriver(Integer.MAX_VALUE);
    try (Broadcaster broadcaster = broadcaster(driver)) {
      List<CompletableFuture<Void>> sent = sendAll(broadcaster);
      // what the bound prevents: without it, core sends the first event of every channel before any answer
      answerOnceUnanswered(driver, CHANNELS);
      assertEveryEventOnceInOrder(driver, sent);
    }
    assertThat(driver.most.get()).isGreaterThanOrEqualTo(CHANNELS);
  }

  /**
   * The SPI's rule: a message counts until its future completes, and a cancel completes it. The
   * commands pipelined behind a failed one are cancelled, and their room goes to other channels at
   * once, while the driver may still hold them; so a driver that counts what it holds, rather than
   * futures not yet complete, sees more than its bound (here 7 against 4).
   */
  @Test
  void commandsCancelledBehindAFailureLeaveTheCountAtOnce() throws Exception {
    PipelineTest.HandDriver driver = new PipelineTest.HandDriver(true, 1, false) {
      @Override
      public int maxUnanswered() {
        return 4;
      }
    };
    Map<String, List<String>> delivered = new HashMap<>();
    List<PipelineTest.Call> calls = new ArrayList<>();
    try (Broadcaster broadcaster = broadcaster(driver)) {
      List<CompletableFuture<Void>> sent = new ArrayList<>();
      for (int n = 0; n < 4; n++) {
        sent.add(broadcaster.on(new Channel("hot")).as("E").with(Map.of("n", n)).send());
      }
      for (int n = 0; n < 4; n++) {
        calls.add(driver.next()); // the bound: all four in flight on one channel
      }
      for (int c = 0; c < 4; c++) {
        sent.add(broadcaster.on(new Channel("other" + c)).as("E").with(Map.of("n", 0)).send());
      }
      calls.get(0).answers().get(0).completeExceptionally(BroadcastException.retryable("cut off", null));
      for (int n = 0; n < 4; n++) {
        calls.add(driver.next());
      }

      assertThat(calls).extracting(InFlightBoundTest::channelOf)
          .containsExactly("hot", "hot", "hot", "hot", "other0", "other1", "other2", "other3");
      assertThat(calls.subList(1, 4)).allMatch(call -> call.answers().get(0).isCancelled());
      assertThat(calls).filteredOn(call -> !call.answers().get(0).isDone()).hasSize(4);

      CompletableFuture<Void> all = CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      int answered = 0;
      while (!all.isDone() && System.nanoTime() < deadline) { // answers every command in the order sent
        if (answered == calls.size()) {
          PipelineTest.Call next = driver.calls.poll(10, TimeUnit.MILLISECONDS);
          if (next != null) {
            calls.add(next);
          }
          continue;
        }
        PipelineTest.Call call = calls.get(answered++);
        if (call.answers().get(0).complete(null)) {
          delivered.computeIfAbsent(channelOf(call), c -> new ArrayList<>()).add(call.payloads().get(0));
        }
      }
      all.get(1, TimeUnit.SECONDS);
    }
    assertThat(failures).isEmpty();
    assertThat(delivered.get("hot")).containsExactly("{\"n\":0}", "{\"n\":1}", "{\"n\":2}", "{\"n\":3}");
    assertThat(retried).containsExactlyInAnyOrder("{\"n\":0}", "{\"n\":1}", "{\"n\":2}", "{\"n\":3}");
    assertThat(calls).hasSize(12);
    assertThat(driver.calls).isEmpty();
  }

  private static String channelOf(PipelineTest.Call call) {
    return call.messages().get(0).channels().get(0).name();
  }
}
