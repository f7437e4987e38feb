package dev.broadcasting;

import static org.assertj.core.api.Assertions.assertThat;

import dev.broadcasting.spi.BroadcastDriver;
import dev.broadcasting.spi.BroadcastMessage;
import dev.broadcasting.spi.BroadcastQueue;
import dev.broadcasting.testing.FakeTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The durable-queue seam: a queued broadcast goes to the {@link BroadcastQueue} and nowhere else;
 * what the queue's workers hand back goes through the dispatcher, under the retry policy and with
 * the failure handler; a write the queue refuses is reported as a refusal.
 */
class QueueSeamTest {
  private final FakeTime time = new FakeTime();
  private final List<FailedBroadcast> failures = new CopyOnWriteArrayList<>();
  private final List<String> calls = new CopyOnWriteArrayList<>();
  private final java.util.concurrent.CountDownLatch retried = new java.util.concurrent.CountDownLatch(1);

  /** Stores in a list; {@link #work()} hands everything stored to the delivery, as a worker would. */
  final class ListQueue implements BroadcastQueue {
    final List<Object[]> stored = new ArrayList<>();
    Delivery delivery;
    String refuse;

    @Override
    public void start(Delivery delivery) {
      calls.add("start");
      this.delivery = delivery;
    }

    @Override
    public CompletableFuture<Void> enqueue(String connection, List<BroadcastMessage> messages, RetryPolicy policy) {
      if (refuse != null) {
        throw new BroadcastException(refuse);
      }
      stored.add(new Object[] {connection, messages, policy});
      return new CompletableFuture<>();
    }

    @SuppressWarnings("unchecked")
    List<CompletableFuture<Void>> work() {
      List<CompletableFuture<Void>> outcomes = new ArrayList<>();
      for (Object[] entry : stored) {
        outcomes.add(delivery.deliver((String) entry[0], (List<BroadcastMessage>) entry[1], (RetryPolicy) entry[2]));
      }
      stored.clear();
      return outcomes;
    }

    @Override
    public void stop(Duration drainTimeout) {
      calls.add("stop");
    }

    @Override
    public void close() {
      calls.add("close");
    }
  }

  /** Fails its first {@code failures} publishes with a retryable error, then accepts. */
  final class FlakyDriver implements BroadcastDriver {
    int failuresLeft;
    final List<String> sent = new CopyOnWriteArrayList<>();

    FlakyDriver(int failures) {
      this.failuresLeft = failures;
    }

    @Override
    public synchronized CompletableFuture<Void> publish(BroadcastMessage message) {
      if (failuresLeft-- > 0) {
        return CompletableFuture.failedFuture(BroadcastException.retryable("down", null));
      }
      sent.add(message.id() + " " + message.payload());
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public void close() {
      calls.add("driver closed");
    }
  }

  private Broadcaster broadcaster(BroadcastDriver driver, ListQueue queue) {
    return Broadcaster.builder().connection("main", driver).queue(queue).ticker(time).scheduler(time)
        .retry(RetryPolicy.builder().maxAttempts(3).baseDelay(Duration.ofSeconds(1)).maxDelay(Duration.ofSeconds(1))
            .build())
        .listener(new BroadcastListener() {
          @Override
          public void onRetry(BroadcastEvent event, String connection, int attempt, Duration delay, Throwable cause) {
            retried.countDown();
          }
        })
        .drainTimeout(Duration.ZERO) // close never waits on the fake clock
        .onFailure(failures::add).build();
  }

  @Test
  void aQueuedBroadcastIsStoredAndWhatAWorkerHandsBackIsRetriedUnderThePolicy() throws Exception {
    FlakyDriver driver = new FlakyDriver(1);
    ListQueue queue = new ListQueue();
    try (Broadcaster broadcaster = broadcaster(driver, queue)) {
      broadcaster.on(new Channel("c")).as("E").with(Map.of("n", 1)).send();
      assertThat(queue.stored).hasSize(1);
      assertThat(driver.sent).isEmpty();
      @SuppressWarnings("unchecked")
      BroadcastMessage stored = ((List<BroadcastMessage>) queue.stored.get(0)[1]).get(0);

      CompletableFuture<Void> delivered = queue.work().get(0);
      assertThat(retried.await(5, TimeUnit.SECONDS)).as("the first attempt failed and a retry was scheduled").isTrue();
      assertThat(delivered).isNotDone();
      FakeTimeRuns.run(time, delivered);
      assertThat(time.read()).as("the retry waited for the policy's delay").isGreaterThanOrEqualTo(500_000_000L);
      assertThat(driver.sent).containsExactly(stored.id() + " {\"n\":1}");
    }
    assertThat(calls).containsExactly("start", "stop", "close", "driver closed");
  }

  @Test
  void aShouldBroadcastNowEventAndASynchronousBroadcasterBypassTheQueue() {
    FlakyDriver driver = new FlakyDriver(0);
    ListQueue queue = new ListQueue();
    try (Broadcaster broadcaster = broadcaster(driver, queue)) {
      assertThat(broadcaster.on(new Channel("c")).as("E").with(Map.of()).sendNow()).isCompleted();
      assertThat(queue.stored).isEmpty();
      assertThat(driver.sent).hasSize(1);
    }
  }

  @Test
  void aWriteTheQueueRefusesFailsTheBroadcastAndReachesTheFailureHandler() {
    ListQueue queue = new ListQueue();
    queue.refuse = "the store is down";
    try (Broadcaster broadcaster = broadcaster(new FlakyDriver(0), queue)) {
      CompletableFuture<Void> sent = broadcaster.on(new Channel("c")).as("E").with(Map.of()).send();
      assertThat(sent).isCompletedExceptionally();
      assertThat(failures).singleElement().satisfies(failed -> {
        assertThat(failed.attempts()).isZero();
        assertThat(failed.cause()).hasMessage("Broadcast of anonymous event 'E' as 'E' on [c] via connection 'main' "
            + "was not queued: the store is down");
      });
    }
  }

  @Test
  void anEventForAConnectionThisWorkerLacksFailsAndIsReported() {
    ListQueue queue = new ListQueue();
    try (Broadcaster broadcaster = broadcaster(new FlakyDriver(0), queue)) {
      CompletableFuture<Void> outcome = queue.delivery.deliver("pusher",
          List.of(BroadcastMessage.of("E", List.of(new Channel("c")), "{}")), RetryPolicy.none());
      assertThat(outcome).isCompletedExceptionally();
      assertThat(failures).singleElement().satisfies(failed -> assertThat(failed.cause().getMessage())
          .endsWith("connection 'pusher' is not configured in this process ([main]); configure it on every worker"));
    }
  }
}
