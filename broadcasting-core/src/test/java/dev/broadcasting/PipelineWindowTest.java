package dev.broadcasting;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.broadcasting.spi.BroadcastDriver;
import dev.broadcasting.spi.BroadcastMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * How many events of one channel core sends ahead of the answers on a pipelining connection: 256
 * when the driver declares no bound on unanswered messages, 4,096 under a bound (the redis publish
 * socket's 8,192), at most that bound; and a bound below 1 refused when the broadcaster is built.
 */
class PipelineWindowTest {
  /** Keeps order, holds every answer until the test gives it, and logs sends and answers in turn. */
  static final class HoldingDriver implements BroadcastDriver {
    final int bound;
    final List<String> log = new CopyOnWriteArrayList<>();
    final List<CompletableFuture<Void>> answers = new CopyOnWriteArrayList<>();

    HoldingDriver(int bound) {
      this.bound = bound;
    }

    @Override
    public CompletableFuture<Void> publish(BroadcastMessage message) {
      return publishBatch(List.of(message)).get(0);
    }

    @Override
    public synchronized List<CompletableFuture<Void>> publishBatch(List<BroadcastMessage> messages) {
      List<CompletableFuture<Void>> sent = new ArrayList<>(messages.size());
      for (BroadcastMessage message : messages) {
        log.add("sent " + message.payload());
        CompletableFuture<Void> answer = new CompletableFuture<>();
        answers.add(answer);
        sent.add(answer);
      }
      return sent;
    }

    synchronized void answerFirst() {
      log.add("answered first");
      answers.get(0).complete(null);
    }

    @Override
    public boolean keepsOrder() {
      return true;
    }

    @Override
    public int maxBatch() {
      return 128;
    }

    @Override
    public int maxUnanswered() {
      return bound;
    }
  }

  @ParameterizedTest(name = "maxUnanswered {0}")
  @ValueSource(ints = {Integer.MAX_VALUE, 8192, 1000})
  void oneChannelHasTheWindowInFlightAndTheNextEventWaitsForAnAnswer(int bound) throws Exception {
    int window = bound == Integer.MAX_VALUE ? 256 : Math.min(4096, bound);
    HoldingDriver driver = new HoldingDriver(bound);
    try (Broadcaster broadcaster = Broadcaster.builder().connection("main", driver).build()) {
      List<CompletableFuture<Void>> results = new ArrayList<>();
      for (int i = 0; i <= window; i++) {
        results.add(broadcaster.on(new Channel("orders")).as("E").with(Map.of("n", i)).send());
      }
      waitFor(() -> driver.answers.size() == window);
      driver.answerFirst();
      results.get(0).get(10, TimeUnit.SECONDS);
      waitFor(() -> driver.answers.size() == window + 1);

      // the event past the window went only after the first answer made room for it
      assertThat(driver.log.indexOf("answered first")).isEqualTo(window);
      assertThat(driver.log.get(window + 1)).isEqualTo("sent {\"n\":" + window + "}");
      driver.answers.forEach(answer -> answer.complete(null));
      CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
    }
  }

  @ParameterizedTest(name = "maxUnanswered {0}")
  @ValueSource(ints = {0, -1})
  void aBoundBelowOneIsRefusedWhenTheBroadcasterIsBuilt(int bound) {
    assertThatThrownBy(() -> Broadcaster.builder().connection("jobs", new HoldingDriver(bound)).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("connection 'jobs': " + HoldingDriver.class.getName() + ".maxUnanswered() returned " + bound
            + ", but it must be at least 1 (Integer.MAX_VALUE when the driver has no bound): a bug in the driver");
  }

  @Test
  void aBoundOfOneSendsOneEventAtATime() throws Exception {
    HoldingDriver driver = new HoldingDriver(1);
    try (Broadcaster broadcaster = Broadcaster.builder().connection("main", driver).build()) {
      CompletableFuture<Void> first = broadcaster.on(new Channel("a")).as("E").with(Map.of("n", 0)).send();
      CompletableFuture<Void> second = broadcaster.on(new Channel("b")).as("E").with(Map.of("n", 1)).send();
      waitFor(() -> driver.answers.size() == 1);
      driver.answerFirst();
      first.get(10, TimeUnit.SECONDS);
      waitFor(() -> driver.answers.size() == 2);
      assertThat(driver.log).containsExactly("sent {\"n\":0}", "answered first", "sent {\"n\":1}");
      driver.answers.get(1).complete(null);
      second.get(10, TimeUnit.SECONDS);
    }
  }

  private static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime() - deadline).as("waited 10 s").isNegative();
      Thread.sleep(1);
    }
  }
}
