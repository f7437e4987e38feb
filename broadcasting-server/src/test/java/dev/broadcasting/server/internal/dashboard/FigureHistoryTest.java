package dev.broadcasting.server.internal.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.broadcasting.server.AppStats;
import dev.broadcasting.server.WebhookStats;
import org.junit.jupiter.api.Test;

class FigureHistoryTest {
  private final FigureHistory history = new FigureHistory();

  private static AppStats stats(int connections, long in, long out, int backlog) {
    return new AppStats("1", connections, 2, in, out, 0, 0, backlog, new WebhookStats(0, 0, 0));
  }

  @Test
  void keepsGaugesAsTheyWereAndTotalsAsRatesPerSecond() {
    assertThat(history.record(10_000, stats(3, 100, 1_000, 0))).containsExactly(3, 2, 0, 0, 0, 0, 0);
    assertThat(history.record(11_000, stats(4, 150, 1_400, 7))).containsExactly(4, 2, 50, 400, 0, 0, 7);
    // two seconds later: the rate is over both
    assertThat(history.record(13_000, stats(4, 250, 1_400, 0))).containsExactly(4, 2, 50, 0, 0, 0, 0);
    double[][] last = history.last(2);
    assertThat(last).hasNumberOfRows(2);
    assertThat(last[0]).containsExactly(11_000, 4, 2, 50, 400, 0, 0, 7);
    assertThat(last[1][0]).isEqualTo(13_000);
  }

  @Test
  void holdsOneHourOfSamplesAtMost() {
    for (int i = 0; i < FigureHistory.CAPACITY + 10; i++) {
      history.record(i * 1000L, stats(i, 0, 0, 0));
    }
    double[][] all = history.last(Integer.MAX_VALUE);
    assertThat(all).hasNumberOfRows(FigureHistory.CAPACITY);
    assertThat(all[0][0]).isEqualTo(10_000);
    assertThat(all[FigureHistory.CAPACITY - 1][1]).isEqualTo(FigureHistory.CAPACITY + 9);
  }
}
