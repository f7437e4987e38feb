package dev.broadcasting;

import static org.assertj.core.api.Assertions.assertThat;

import dev.broadcasting.spi.BroadcastDriver;
import dev.broadcasting.spi.BroadcastMessage;
import dev.broadcasting.testing.FakeTime;
import java.lang.reflect.Field;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Ordered pipelining, coalescing and ordering off, on fake time, with a driver whose answers the
 * test gives by hand: what goes out before which answer, in which batches, and what happens to the
 * events behind a failure.
 */
class PipelineTest {
  private static final RetryPolicy RETRY = RetryPolicy.builder().maxAttempts(5).baseDelay(Duration.ofMillis(100))
      .maxDelay(Duration.ofSeconds(1)).build();
  private final FakeTime time = new FakeTime();
  private final List<FailedBroadcast> failures = new CopyOnWriteArrayList<>();
  private final List<String> sentEvents = new CopyOnWriteArrayList<>();
  private final List<String> retried = new CopyOnWriteArrayList<>();

  /** One call to the driver: its messages, one future per message that the test completes, the calling thread. */
  record Call(List<BroadcastMessage> messages, List<CompletableFuture<Void>> answers, String thread) {
    List<String> payloads() {
      return messages.stream().map(BroadcastMessage::payload).collect(Collectors.toList());
    }

    void answerAll() {
      answers.forEach(answer -> answer.complete(null));
    }
  }

  /** Answers nothing by itself; every call waits in {@link #calls} for the test. */
  static class HandDriver implements BroadcastDriver {
    final BlockingQueue<Call> calls = new LinkedBlockingQueue<>();
    final boolean keepsOrder;
    final int maxBatch;
    /** True: one future for the whole batch, as one HTTP request has. */
    final boolean oneRequest;

    HandDriver(boolean keepsOrder, int maxBatch, boolean oneRequest) {
      this.keepsOrder = keepsOrder;
      this.maxBatch = maxBatch;
      this.oneRequest = oneRequest;
    }

    @Override
    public CompletableFuture<Void> publish(BroadcastMessage message) {
      return publishBatch(List.of(message)).get(0);
    }

    @Override
    public List<CompletableFuture<Void>> publishBatch(List<BroadcastMessage> messages) {
      List<CompletableFuture<Void>> answers = new ArrayList<>();
      CompletableFuture<Void> shared = new CompletableFuture<>();
      for (int i = 0; i < messages.size(); i++) {
        answers.add(oneRequest ? shared : new CompletableFuture<>());
      }
      calls.add(new Call(List.copyOf(messages), answers, Thread.currentThread().getName()));
      return answers;
    }

    @Override
    public boolean keepsOrder() {
      return keepsOrder;
    }

    @Override
    public int maxBatch() {
      return maxBatch;
    }

    Call next() throws InterruptedException {
      Call call = calls.poll(10, TimeUnit.SECONDS);
      assertThat(call).as("a call to the driver").isNotNull();
      return call;
    }
  }

  private Broadcaster.Builder builder(BroadcastDriver driver) {
    return builder(driver, time, failures, sentEvents, retried);
  }

  /** A broadcaster on {@code time} with these tests' retries, recording failures, deliveries and retries by payload. */
  static Broadcaster.Builder builder(BroadcastDriver driver, FakeTime time, List<FailedBroadcast> failures,
      List<String> sentEvents, List<String> retried) {
    return Broadcaster.builder().connection("main", driver).retry(RETRY).onFailure(failures::add).drainTimeout(Duration.ZERO)
        .ticker(time).scheduler(time).listener(new BroadcastListener() {
          @Override
          public void onSent(BroadcastEvent event, String connection, int attempts, long latencyNanos) {
            sentEvents.add(event.payload());
          }

          @Override
          public void onRetry(BroadcastEvent event, String connection, int attempt, Duration delay, Throwable cause) {
            retried.add(event.payload());
          }
        });
  }

  private static List<CompletableFuture<Void>> burst(Broadcaster broadcaster, String channel, int from, int to) {
    List<CompletableFuture<Void>> futures = new ArrayList<>();
    for (int n = from; n <= to; n++) {
      futures.add(broadcaster.on(new Channel(channel)).as("E").with(Map.of("n", n)).send());
    }
    return futures;
  }

  /**
   * Without pipelining: event 1 on {@code channel} goes alone and is answered, events 2 to
   * {@code last} wait behind it and go out together; returns that batch's call.
   */
  private static Call batchBehindTheFirst(HandDriver driver, Broadcaster broadcaster, String channel, int last,
      List<CompletableFuture<Void>> futures) throws InterruptedException {
    futures.addAll(burst(broadcaster, channel, 1, 1));
    Call first = driver.next();
    futures.addAll(burst(broadcaster, channel, 2, last));
    first.answerAll();
    Call batch = driver.next();
    assertThat(batch.payloads()).containsExactlyElementsOf(payloads(2, last));
    return batch;
  }

  static List<String> payloads(int from, int to) {
    List<String> out = new ArrayList<>();
    for (int n = from; n <= to; n++) {
      out.add("{\"n\":" + n + "}");
    }
    return out;
  }

  /** Waits for the dispatcher's threads to handle an answer the test gave (waiting for something that must happen). */
  static void eventually(java.util.function.BooleanSupplier condition) throws InterruptedException {
    long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("condition not met within 10 s").isLessThan(giveUp);
      Thread.sleep(1);
    }
  }

  /**
   * No drain is running or waiting to run, so none can take what an answer frees: the dispatcher's
   * pool holds no task, none of its threads runs one, and every one of its threads waits for work
   * before and after that look. A thread woken for a task but not yet scheduled still shows as
   * waiting, so the threads' states alone cannot tell; the task is seen in the pool's queue until
   * a thread takes it, and a thread that took it shows as running.
   */
  private static boolean dispatcherIdle(Broadcaster broadcaster) {
    ThreadPoolExecutor pool = dispatcherPool(broadcaster);
    return dispatcherThreadsWait() && pool.getQueue().isEmpty() && pool.getActiveCount() == 0 && dispatcherThreadsWait();
  }

  /** The dispatcher's own pool, which core does not expose: read here only to know that it is idle. */
  private static ThreadPoolExecutor dispatcherPool(Broadcaster broadcaster) {
    try {
      Field dispatcher = Broadcaster.class.getDeclaredField("dispatcher");
      dispatcher.setAccessible(true);
      Object running = dispatcher.get(broadcaster);
      Field workers = running.getClass().getDeclaredField("workers");
      workers.setAccessible(true);
      return (ThreadPoolExecutor) workers.get(running);
    } catch (ReflectiveOperationException e) {
      throw new AssertionError("the dispatcher's pool is no longer Broadcaster.dispatcher.workers", e);
    }
  }

  private static boolean dispatcherThreadsWait() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(thread -> thread.getName().startsWith("broadcasting-dispatch-"))
        .allMatch(thread -> thread.getState() == Thread.State.WAITING || thread.getState() == Thread.State.TIMED_WAITING);
  }

  /** Answers the driver's calls one by one, adding their payloads to {@code sent}, until it holds {@code count}. */
  static List<String> answerUntil(HandDriver driver, List<String> sent, int count) throws InterruptedException {
    while (sent.size() < count) {
      Call call = driver.next();
      sent.addAll(call.payloads());
      call.answerAll();
    }
    return sent;
  }

  private static void awaitAll(List<CompletableFuture<Void>> futures) throws Exception {
    CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
  }

  @Test
  void anOrderKeepingDriverGetsAChannelsNextEventsBeforeTheFirstIsAnswered() throws Exception {
    HandDriver driver = new HandDriver(true, 1, false);
    try (Broadcaster broadcaster = builder(driver).build()) {
      List<CompletableFuture<Void>> futures = burst(broadcaster, "hot", 1, 5);
      List<Call> calls = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        calls.add(driver.next()); // five requests out, none answered yet
      }
      assertThat(calls.stream().flatMap(c -> c.payloads().stream())).containsExactlyElementsOf(payloads(1, 5));
      calls.forEach(Call::answerAll);
      awaitAll(futures);
    }
    // answers are handled on several dispatcher threads: the wire order is the one asserted above
    assertThat(sentEvents).containsExactlyInAnyOrderElementsOf(payloads(1, 5));
  }

  @Test
  void aPipelinedFailureSendsTheEventsBehindItAgainInOrderAndReportsEachOnce() throws Exception {
    HandDriver driver = new HandDriver(true, 1, false);
    try (Broadcaster broadcaster = builder(driver).build()) {
      List<CompletableFuture<Void>> futures = burst(broadcaster, "hot", 1, 5);
      List<Call> first = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        first.add(driver.next());
      }
      first.get(0).answerAll();
      first.get(1).answers().get(0).completeExceptionally(BroadcastException.retryable("connection reset", null));
      // 3, 4 and 5 were cancelled to follow 2 again
      eventually(() -> retried.size() == 4 && time.pending() == 4); // four back-offs waiting for the clock
      assertThat(first.get(2).answers().get(0)).isCancelled();
      assertThat(first.get(3).answers().get(0)).isCancelled();
      assertThat(first.get(4).answers().get(0)).isCancelled();
      assertThat(driver.calls).isEmpty();
      time.advance(Duration.ofSeconds(1));
      List<String> again = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        Call call = driver.next();
        again.addAll(call.payloads());
        call.answerAll();
      }
      assertThat(again).containsExactlyElementsOf(payloads(2, 5));
      awaitAll(futures);
    }
    assertThat(sentEvents).containsExactlyInAnyOrderElementsOf(payloads(1, 5)).hasSize(5);
    assertThat(retried).containsExactlyInAnyOrderElementsOf(payloads(2, 5)).hasSize(4); // handled on several threads
    assertThat(failures).isEmpty();
  }

  @Test
  void eventsWaitingBehindARequestGoOutTogetherInTheDriversBatchForm() throws Exception {
    HandDriver driver = new HandDriver(false, 10, true);
    try (Broadcaster broadcaster = builder(driver).build()) {
      List<CompletableFuture<Void>> futures = burst(broadcaster, "hot", 1, 1);
      Call first = driver.next();
      futures.addAll(burst(broadcaster, "hot", 2, 25));
      assertThat(first.payloads()).containsExactly("{\"n\":1}");
      assertThat(driver.calls).isEmpty(); // one request in flight per channel without pipelining
      first.answerAll();
      List<Integer> sizes = new ArrayList<>();
      List<String> order = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        Call call = driver.next();
        assertThat(driver.calls).isEmpty();
        sizes.add(call.messages().size());
        order.addAll(call.payloads());
        call.answerAll();
      }
      assertThat(sizes).containsExactly(10, 10, 4);
      assertThat(order).containsExactlyElementsOf(payloads(2, 25));
      awaitAll(futures);
    }
    assertThat(sentEvents).containsExactlyElementsOf(payloads(1, 25));
  }

  @Test
  void aFailedBatchIsRetriedWholeInOrderAndNoEventIsReportedTwice() throws Exception {
    HandDriver driver = new HandDriver(false, 10, true);
    try (Broadcaster broadcaster = builder(driver).build()) {
      List<CompletableFuture<Void>> futures = new ArrayList<>();
      Call batch = batchBehindTheFirst(driver, broadcaster, "hot", 11, futures);
      batch.answers().get(0).completeExceptionally(
          new BroadcastException("HTTP 500 from the service", null, true, 500));
      eventually(() -> retried.size() == 10 && time.pending() == 1); // one back-off for the whole batch
      assertThat(driver.calls).isEmpty();
      time.advance(Duration.ofSeconds(1));
      assertThat(answerUntil(driver, new ArrayList<>(), 10)).containsExactlyElementsOf(payloads(2, 11));
      awaitAll(futures);
    }
    assertThat(sentEvents).containsExactlyElementsOf(payloads(1, 11));
    assertThat(retried).containsExactlyElementsOf(payloads(2, 11));
    assertThat(failures).isEmpty();
  }

  /**
   * Without pipelining a channel's next batch waits for the answer to its last one: it is sent by
   * the thread that answered (a client's I/O thread), not after a dispatcher thread woke up; the
   * listener and the callers' futures still run on a dispatcher thread, and a failure is handled
   * there too.
   */
  @Test
  void aDeliveryLaunchesTheChannelsNextBatchOnTheAnsweringThreadAndReportsOnADispatcherThread() throws Exception {
    HandDriver driver = new HandDriver(false, 10, true);
    ExecutorService io = Executors.newSingleThreadExecutor(runnable -> new Thread(runnable, "driver-io"));
    List<String> reportedOn = new CopyOnWriteArrayList<>();
    try (Broadcaster broadcaster = builder(driver).listener(new BroadcastListener() {
      @Override
      public void onSent(BroadcastEvent event, String connection, int attempts, long latencyNanos) {
        reportedOn.add(Thread.currentThread().getName());
      }
    }).build()) {
      List<CompletableFuture<Void>> futures = burst(broadcaster, "hot", 1, 1);
      Call first = driver.next();
      futures.addAll(burst(broadcaster, "hot", 2, 21));
      List<String> completedOn = new CopyOnWriteArrayList<>();
      futures.forEach(future -> future.thenRun(() -> completedOn.add(Thread.currentThread().getName())));
      eventually(() -> dispatcherIdle(broadcaster)); // else the drain the burst started may take the batch itself
      io.submit(first::answerAll).get();
      Call second = driver.next();
      assertThat(second.payloads()).containsExactlyElementsOf(payloads(2, 11));
      assertThat(second.thread()).isEqualTo("driver-io");

      second.answers().get(0).completeExceptionally(new BroadcastException("HTTP 503", null, true, 503));
      eventually(() -> retried.size() == 10 && time.pending() == 1);
      assertThat(driver.calls).as("a failure holds the channel: nothing launched on the answering thread").isEmpty();
      time.advance(Duration.ofSeconds(1));
      Call retry = driver.next();
      assertThat(retry.payloads()).containsExactlyElementsOf(payloads(2, 11));
      assertThat(retry.thread()).startsWith("broadcasting-dispatch-");
      eventually(() -> dispatcherIdle(broadcaster)); // the drain that sent the retry has ended
      io.submit(retry::answerAll).get();
      Call third = driver.next();
      assertThat(third.payloads()).containsExactlyElementsOf(payloads(12, 21));
      assertThat(third.thread()).isEqualTo("driver-io");
      io.submit(third::answerAll).get();
      awaitAll(futures);
      eventually(() -> completedOn.size() == 21);
      assertThat(completedOn).allMatch(thread -> thread.startsWith("broadcasting-dispatch-"));
    } finally {
      io.shutdown();
    }
    assertThat(sentEvents).containsExactlyElementsOf(payloads(1, 21));
    assertThat(reportedOn).hasSize(21).allMatch(thread -> thread.startsWith("broadcasting-dispatch-"));
    assertThat(failures).isEmpty();
  }

  /**
   * A driver that answers at once, on the thread launching its next batch: that answer goes to a
   * dispatcher thread, which sends the batch after it, so the answering thread's stack does not
   * grow with the channel's backlog.
   */
  @Test
  void anAnswerGivenWhileLaunchingOnTheAnsweringThreadIsHandedToADispatcherThread() throws Exception {
    List<String> threads = new CopyOnWriteArrayList<>();
    HandDriver driver = new HandDriver(false, 10, true) {
      @Override
      public List<CompletableFuture<Void>> publishBatch(List<BroadcastMessage> messages) {
        threads.add(Thread.currentThread().getName());
        List<CompletableFuture<Void>> answers = super.publishBatch(messages);
        if (Thread.currentThread().getName().equals("driver-io")) {
          answers.forEach(answer -> answer.complete(null)); // answered before it returns
        }
        return answers;
      }
    };
    ExecutorService io = Executors.newSingleThreadExecutor(runnable -> new Thread(runnable, "driver-io"));
    try (Broadcaster broadcaster = builder(driver).build()) {
      List<CompletableFuture<Void>> futures = burst(broadcaster, "hot", 1, 1);
      Call first = driver.next();
      futures.addAll(burst(broadcaster, "hot", 2, 31));
      eventually(() -> dispatcherIdle(broadcaster)); // else the drain the burst started may take the batch itself
      io.submit(first::answerAll).get();
      assertThat(answerUntil(driver, new ArrayList<>(first.payloads()), 31)).containsExactlyElementsOf(payloads(1, 31));
      awaitAll(futures);
    } finally {
      io.shutdown();
    }
    assertThat(threads).hasSize(4);
    assertThat(threads.get(1)).isEqualTo("driver-io");
    assertThat(threads.get(2)).startsWith("broadcasting-dispatch-");
    assertThat(sentEvents).containsExactlyElementsOf(payloads(1, 31));
  }

  @Test
  void withPerChannelOrderOffEveryEventOfAChannelGoesAtOnce() throws Exception {
    HandDriver driver = new HandDriver(false, 1, false);
    try (Broadcaster broadcaster = builder(driver).perChannelOrder(false).build()) {
      List<CompletableFuture<Void>> futures = burst(broadcaster, "hot", 1, 5);
      List<Call> calls = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        calls.add(driver.next()); // five requests on one channel, none answered yet
      }
      calls.forEach(Call::answerAll);
      awaitAll(futures);
    }
    assertThat(sentEvents).containsExactlyInAnyOrderElementsOf(payloads(1, 5));
  }

  @Test
  void aTimedOutPipelinedRequestIsCancelledAndTheOnesBehindItFollowItAgain() throws Exception {
    HandDriver driver = new HandDriver(true, 10, false);
    try (Broadcaster broadcaster = builder(driver).attemptTimeout(Duration.ofSeconds(2)).build()) {
      List<CompletableFuture<Void>> futures = burst(broadcaster, "hot", 1, 1);
      Call first = driver.next();
      futures.addAll(burst(broadcaster, "hot", 2, 3));
      List<String> behind = new ArrayList<>();
      List<Call> later = new ArrayList<>();
      while (behind.size() < 2) {
        Call call = driver.next();
        later.add(call);
        behind.addAll(call.payloads());
      }
      assertThat(behind).containsExactlyElementsOf(payloads(2, 3));
      time.advance(Duration.ofSeconds(2)); // every attempt times out: all three are cancelled
      eventually(() -> retried.size() == 3 && time.pending() == 3); // three back-offs waiting for the clock
      assertThat(first.answers().get(0)).isCancelled();
      later.forEach(call -> call.answers().forEach(answer -> assertThat(answer).isCancelled()));
      time.advance(Duration.ofSeconds(1));
      List<String> again = new ArrayList<>();
      while (again.size() < 3) {
        Call call = driver.next();
        again.addAll(call.payloads());
        call.answerAll();
      }
      assertThat(again).containsExactlyElementsOf(payloads(1, 3));
      awaitAll(futures);
    }
    assertThat(sentEvents).containsExactlyInAnyOrderElementsOf(payloads(1, 3)); // answers handled on several threads
    assertThat(failures).isEmpty();
  }

  /**
   * The requests of one send share one timer: it cancels only the ones still open when it fires,
   * and it is gone once the last of them is answered.
   */
  @Test
  void theRequestsOfOneSendShareOneTimeoutThatCancelsOnlyTheOpenOnes() throws Exception {
    HandDriver driver = new HandDriver(false, 10, false); // a channel's events share a request, one future each
    try (Broadcaster broadcaster = builder(driver).attemptTimeout(Duration.ofSeconds(2)).build()) {
      List<CompletableFuture<Void>> futures = new ArrayList<>();
      Call batch = batchBehindTheFirst(driver, broadcaster, "c", 4, futures);
      batch.answers().get(0).complete(null);
      eventually(() -> sentEvents.size() == 2); // the send is watched: its timer started before any answer counted
      assertThat(time.pending()).as("one timer for the send of three requests, waiting for the two still open")
          .isEqualTo(1);
      time.advance(Duration.ofSeconds(2));
      // each cancelled request's back-off is scheduled after its retry is reported: time may move on only then
      eventually(() -> retried.size() == 2 && time.pending() == 2);
      assertThat(retried).containsExactlyElementsOf(payloads(3, 4));
      assertThat(batch.answers().get(0)).isNotCancelled();
      assertThat(batch.answers().subList(1, 3)).allMatch(CompletableFuture::isCancelled);

      time.advance(Duration.ofSeconds(1));
      List<String> again = new ArrayList<>();
      while (again.size() < 2) { // together, or 4 after 3 is answered
        Call call = driver.next();
        again.addAll(call.payloads());
        call.answerAll();
      }
      assertThat(again).containsExactlyElementsOf(payloads(3, 4));
      awaitAll(futures);
      eventually(() -> time.pending() == 0); // the last answer cancelled the retry's timer
    }
    assertThat(sentEvents).containsExactlyElementsOf(payloads(1, 4));
    assertThat(failures).isEmpty();
  }
}
