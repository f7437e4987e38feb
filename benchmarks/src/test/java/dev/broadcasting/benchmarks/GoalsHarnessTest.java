package dev.broadcasting.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.broadcasting.Broadcaster;
import dev.broadcasting.spi.BroadcastMessage;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The goals harness counts and judges what it claims: verdicts, rounds, percentiles, the RESULTS.md section. */
class GoalsHarnessTest {

  @Test
  void throughputGoalIsMetAtItsRatioAndShortBelow() {
    assertThat(GoalRow.atLeast("g", 300, 100, 3.0, "events/s").verdict()).isEqualTo(GoalRow.Verdict.MET);
    assertThat(GoalRow.atLeast("g", 299, 100, 3.0, "events/s").verdict()).isEqualTo(GoalRow.Verdict.SHORT);
    assertThat(GoalRow.atLeastFigure("g", 1_000_000, 1_000_000, "events/s").verdict()).isEqualTo(GoalRow.Verdict.MET);
    assertThat(GoalRow.atLeastFigure("g", 999_999, 1_000_000, "events/s").verdict()).isEqualTo(GoalRow.Verdict.SHORT);
  }

  @Test
  void costGoalIsMetAtOrBelowItsRatio() {
    assertThat(GoalRow.atMost("g", 110, 100, 1.1, "µs").verdict()).isEqualTo(GoalRow.Verdict.MET);
    assertThat(GoalRow.atMost("g", 111, 100, 1.1, "µs").verdict()).isEqualTo(GoalRow.Verdict.SHORT);
  }

  @Test
  void rowPrintsBothFiguresTheRatioAndTheVerdict() {
    assertThat(GoalRow.atLeast("pusher", 7_900, 13_700, 3.0, "events/s").markdown())
        .isEqualTo("| pusher | 7,900 events/s | 13,700 events/s | 0.58× | **short** |");
    assertThat(GoalRow.notAvailable("unordered", "no option yet", 2_400, "events/s").markdown())
        .isEqualTo("| unordered | no option yet | 2,400 events/s | – | not available |");
  }

  @Test
  void sectionGoesAfterTheTitleFirstThenReplacesItselfKeepingTheRest() {
    String document = "# Benchmark results\n\nWritten analysis.\n";

    String first = ResultsDocument.splice(document, "table one\n");
    String second = ResultsDocument.splice(first, "table two");

    assertThat(first).isEqualTo("# Benchmark results\n\n" + ResultsDocument.BEGIN + "\ntable one\n" + ResultsDocument.END
        + "\n\nWritten analysis.\n");
    assertThat(second).isEqualTo(first.replace("table one", "table two"));
  }

  @Test
  void aLoneMarkerIsRefusedRatherThanGuessed() {
    assertThatThrownBy(() -> ResultsDocument.splice("# R\n" + ResultsDocument.BEGIN + "\nold\n", "new"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("only one of the goals markers");
  }

  @Test
  void aLoadAboveTheCoresIsFlaggedAndAnUnknownOneIsNot() {
    assertThat(Goals.busy("0.00 0.00 0.00")).isFalse();
    assertThat(Goals.busy("99999 1.0 1.0")).isTrue();
    assertThat(Goals.busy("unknown")).isFalse();
  }

  @Test
  void roundCountsDeliveredAndFailedAndKeepsItsWindow() throws Exception {
    AtomicInteger open = new AtomicInteger();
    AtomicInteger widest = new AtomicInteger();
    Map<Integer, CompletableFuture<Void>> pending = new ConcurrentHashMap<>();
    // answers each send on another thread, so that sends really overlap up to the window
    Round round = Round.run("test", 100, 4, Duration.ofSeconds(30), i -> {
      widest.accumulateAndGet(open.incrementAndGet(), Math::max);
      CompletableFuture<Void> answer = new CompletableFuture<>();
      pending.put(i, answer);
      CompletableFuture.runAsync(() -> {
        open.decrementAndGet();
        if (i % 10 == 0) {
          answer.completeExceptionally(new IllegalStateException("refused"));
        } else {
          answer.complete(null);
        }
      });
      return answer;
    });

    assertThat(round.events()).isEqualTo(100);
    assertThat(round.delivered()).isEqualTo(90);
    assertThat(round.failed()).isEqualTo(10);
    assertThat(widest.get()).isBetween(1, 4);
    assertThat(pending).hasSize(100);
  }

  @Test
  void roundStopsAtItsLimitAndCountsOnlyWhatWasAnswered() throws Exception {
    Round round = Round.run("never answered", 3, 0, Duration.ofMillis(50),
        i -> i == 0 ? CompletableFuture.completedFuture(null) : new CompletableFuture<>());

    assertThat(round.delivered()).isEqualTo(1);
    assertThat(round.failed()).isZero();
    assertThat(round.nanos()).isGreaterThanOrEqualTo(Duration.ofMillis(50).toNanos());
  }

  @Test
  void percentileIsTheNearestRankInMicroseconds() {
    long[] nanos = new long[100];
    for (int i = 0; i < 100; i++) {
      nanos[99 - i] = (i + 1) * 1_000L;
    }

    assertThat(RedisGoals.percentile(nanos, 99)).isEqualTo(99.0);
    assertThat(RedisGoals.percentile(nanos, 50)).isEqualTo(50.0);
    assertThat(RedisGoals.percentile(new long[] {7_000}, 99)).isEqualTo(7.0);
  }

  @Test
  void producersRoundEndsWhenTheDriverHasEveryEvent() throws Exception {
    AtomicLong published = new AtomicLong();
    try (Broadcaster broadcaster = Broadcaster.builder().connection("counting", (BroadcastMessage message) -> {
      published.incrementAndGet();
      return CompletableFuture.completedFuture(null);
    }).blockWhenFull(Duration.ofMinutes(1)).build()) {
      Round round = Goals.producers(broadcaster, 4, 16, 4_000);

      assertThat(round.delivered()).isEqualTo(4_000);
      assertThat(round.failed()).isZero();
      assertThat(published.get()).isEqualTo(4_000);
    }
  }

  @Test
  void goalEventPayloadIsTheSizeThePeersSend() throws Exception {
    String json = new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(new GoalEvent(3).broadcastWith());

    assertThat(json).isEqualTo(Payloads.json(GoalEvent.PAYLOAD_BYTES));
    assertThat(new GoalEvent(3).broadcastOn().get(0).name()).isEqualTo(GoalEvent.channelName(3));
  }
}
