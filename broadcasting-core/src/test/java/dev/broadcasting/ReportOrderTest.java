package dev.broadcasting;

import static org.assertj.core.api.Assertions.assertThat;

import dev.broadcasting.spi.BroadcastDriver;
import dev.broadcasting.spi.BroadcastMessage;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A channel's deliveries are reported ({@code onSent}, then the callers' futures) in the order of
 * the answers, even when a later answer is already there as its request is sent while an earlier
 * one still waits on a dispatcher thread for its report.
 */
class ReportOrderTest {
  private static final int EVENTS = 12;

  /**
   * Answers the first request by hand and every later one at once (the future returned complete).
   * Its {@code prepareBatch} holds the drain that calls it until the test lets it go: the way to
   * have a drain still running when the first answer comes.
   */
  static final class FirstByHandDriver implements BroadcastDriver {
    final BlockingQueue<CompletableFuture<Void>> first = new LinkedBlockingQueue<>();
    final CountDownLatch preparing = new CountDownLatch(1);
    final CountDownLatch prepareMayReturn = new CountDownLatch(1);
    private boolean answeredFirst;

    @Override
    public CompletableFuture<Void> publish(BroadcastMessage message) {
      return publishBatch(List.of(message)).get(0);
    }

    @Override
    public synchronized List<CompletableFuture<Void>> publishBatch(List<BroadcastMessage> messages) {
      if (answeredFirst) {
        return Collections.nCopies(messages.size(), CompletableFuture.completedFuture(null));
      }
      answeredFirst = true;
      CompletableFuture<Void> answer = new CompletableFuture<>();
      first.add(answer);
      return Collections.nCopies(messages.size(), answer);
    }

    @Override
    public PreparedBatch prepareBatch(List<BroadcastMessage> messages) {
      preparing.countDown();
      try {
        prepareMayReturn.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return null; // declines: the batch goes through publishBatch
    }

    @Override
    public int maxBatch() {
      return 10;
    }
  }

  @Test
  void aLaterAnswerAlreadyThereWhenItsRequestIsSentIsReportedAfterTheEarlierOne() throws Exception {
    FirstByHandDriver driver = new FirstByHandDriver();
    List<String> reported = new CopyOnWriteArrayList<>();
    CountDownLatch reportingFirst = new CountDownLatch(1);
    CountDownLatch laterReported = new CountDownLatch(1);
    BroadcastListener listener = new BroadcastListener() {
      @Override
      public void onSent(BroadcastEvent event, String connection, int attempts, long latencyNanos) {
        if (event.payload().equals("{\"n\":1}")) {
          reportingFirst.countDown();
          // holds the first report on its dispatcher thread, for as long as a later report would
          // need to overtake it (it comes at once if it can); never longer than this bound
          await(laterReported, 500);
        }
        reported.add(event.payload());
        laterReported.countDown();
      }
    };
    List<CompletableFuture<Void>> sent = new ArrayList<>();
    try (Broadcaster broadcaster = Broadcaster.builder().connection("main", driver).listener(listener).build()) {
      sent.add(broadcaster.on(new Channel("hot")).as("E").with(Map.of("n", 1)).send());
      CompletableFuture<Void> first = driver.first.poll(10, TimeUnit.SECONDS);
      assertThat(first).as("the first request, event 1 alone").isNotNull();
      for (int n = 2; n <= EVENTS; n++) {
        sent.add(broadcaster.on(new Channel("hot")).as("E").with(Map.of("n", n)).send());
      }
      // a drain, with events 2 to 12 waiting behind the first, is asked to prepare their batch
      assertThat(driver.preparing.await(10, TimeUnit.SECONDS)).as("a drain preparing the next batch").isTrue();
      first.complete(null); // the first event's report goes to a dispatcher thread
      assertThat(reportingFirst.await(10, TimeUnit.SECONDS)).as("the first event's report under way").isTrue();
      driver.prepareMayReturn.countDown(); // the drain sends the next batch, answered before it returns
      CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
    }
    List<String> expected = new ArrayList<>();
    for (int n = 1; n <= EVENTS; n++) {
      expected.add("{\"n\":" + n + "}");
    }
    assertThat(reported).containsExactlyElementsOf(expected);
  }

  private static void await(CountDownLatch latch, long millis) {
    try {
      latch.await(millis, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
