package dev.broadcasting;

import static org.assertj.core.api.Assertions.assertThat;

import dev.broadcasting.spi.BroadcastDriver;
import dev.broadcasting.testing.FakeTime;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** close(): bounded by the drain timeout in all, cancels what is open, reports each event once. */
class CloseTest {
  private final FakeTime time = new FakeTime();
  private final List<FailedBroadcast> failures = new CopyOnWriteArrayList<>();

  /**
   * Closes on another thread and moves fake time in steps until close returns; the fake time close
   * took. Time moves only while the closing thread is parked without a time limit (waiting for the
   * drain deadline), never while it works: on a loaded machine, work done after the deadline would
   * otherwise be counted as fake time and the result would depend on the machine's speed.
   */
  private Duration closeOnFakeTime(Broadcaster broadcaster, Duration step) throws Exception {
    AtomicLong took = new AtomicLong(-1);
    CompletableFuture<Void> closed = new CompletableFuture<>();
    Thread closing = new Thread(() -> {
      long start = time.read();
      broadcaster.close();
      took.set(time.read() - start);
      closed.complete(null);
    }, "closing");
    closing.start();
    long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!closed.isDone() && System.nanoTime() < giveUp) {
      if (closing.getState() == Thread.State.WAITING) {
        time.advance(step);
      }
      try {
        closed.get(5, TimeUnit.MILLISECONDS);
      } catch (java.util.concurrent.TimeoutException stillClosing) {
        // the next step
      }
    }
    closed.get(1, TimeUnit.SECONDS);
    return Duration.ofNanos(took.get());
  }

  @Test
  void aDriverThatNeverAnswersIsCancelledAndCloseTakesTheDrainTimeoutOnce() throws Exception {
    List<CompletableFuture<Void>> requests = new CopyOnWriteArrayList<>();
    BroadcastDriver silent = message -> {
      CompletableFuture<Void> request = new CompletableFuture<>();
      requests.add(request);
      return request;
    };
    Broadcaster broadcaster = Broadcaster.builder().connection("main", silent).onFailure(failures::add)
        .drainTimeout(Duration.ofSeconds(1)).ticker(time).scheduler(time).build();
    List<CompletableFuture<Void>> sent = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      sent.add(broadcaster.on(new Channel("c" + i)).as("E").send());
    }
    while (requests.size() < 100) {
      Thread.onSpinWait();
    }
    // Fake time moves in steps until close returns, so no race with the scheduling of the attempt
    // timeouts can leave close waiting on time that never moves.
    Duration took = closeOnFakeTime(broadcaster, Duration.ofMillis(50));
    // the old close waited the drain timeout twice
    assertThat(took).isGreaterThanOrEqualTo(Duration.ofSeconds(1)).isLessThan(Duration.ofMillis(1_500));
    assertThat(requests).hasSize(100).allMatch(CompletableFuture::isCancelled);
    assertThat(sent).allMatch(CompletableFuture::isCompletedExceptionally);
    assertThat(failures).hasSize(100);
    assertThat(failures.get(0).cause()).hasMessageContaining("the request was cancelled");
    assertThat(time.pending()).as("nothing left scheduled").isZero();
  }

  @Test
  void twoThousandEventsToADeadServiceGiveOneSummaryWithTheRightCountAndNoStackTraces() throws Exception {
    BroadcastDriver dead = message -> CompletableFuture.failedFuture(
        BroadcastException.retryable("Connection refused: 127.0.0.1:1", new java.net.ConnectException("refused")));
    PrintStream stderr = System.err;
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    List<CompletableFuture<Void>> sent = new ArrayList<>();
    try {
      System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
      Broadcaster broadcaster = Broadcaster.builder().connection("main", dead).onFailure(failures::add)
          .queueCapacity(2_000).drainTimeout(Duration.ofSeconds(1)).ticker(time).scheduler(time).build();
      for (int i = 0; i < 2_000; i++) {
        sent.add(broadcaster.on(new Channel("c" + (i % 50))).as("E").with(Map.of("i", i)).send());
      }
      closeOnFakeTime(broadcaster, Duration.ofMillis(50));
    } finally {
      System.setErr(stderr);
    }
    String text = log.toString(StandardCharsets.UTF_8);
    List<String> lines = text.lines().toList();
    assertThat(failures).hasSize(2_000);
    assertThat(failures.stream().map(FailedBroadcast::event).distinct()).hasSize(2_000);
    assertThat(sent).allMatch(CompletableFuture::isCompletedExceptionally);
    assertThat(lines).filteredOn(line -> line.contains("not delivered before close")).singleElement()
        .satisfies(line -> assertThat(line).endsWith("ERROR dev.broadcasting.Broadcaster - 2000 events were not "
            + "delivered before close; each was reported to the failure handler"));
    assertThat(lines).filteredOn(line -> line.contains("ERROR")).hasSize(1);
    assertThat(lines).noneMatch(line -> line.startsWith("\tat "));
  }
}
