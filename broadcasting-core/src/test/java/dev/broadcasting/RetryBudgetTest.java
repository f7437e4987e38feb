package dev.broadcasting;

import static org.assertj.core.api.Assertions.assertThat;

import dev.broadcasting.spi.BroadcastDriver;
import dev.broadcasting.testing.FakeTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The default retry policy keeps its promise: an event outlives a 30 s outage of its service. */
class RetryBudgetTest {
  private final FakeTime time = new FakeTime();

  @Test
  void withDefaultSettingsEveryEventSurvivesAThirtySecondOutage() throws Exception {
    long outageEnds = TimeUnit.SECONDS.toNanos(30);
    List<String> delivered = new CopyOnWriteArrayList<>();
    List<FailedBroadcast> failures = new CopyOnWriteArrayList<>();
    BroadcastDriver downFor30Seconds = message -> {
      if (time.read() < outageEnds) {
        return CompletableFuture.failedFuture(BroadcastException.retryable("Connection refused", null));
      }
      delivered.add(message.payload());
      return CompletableFuture.completedFuture(null);
    };
    List<CompletableFuture<Void>> sent = new ArrayList<>();
    // defaults only: no retry(...) call; 50 events, each with its own jitter
    try (Broadcaster broadcaster = Broadcaster.builder().connection("main", downFor30Seconds)
        .onFailure(failures::add).ticker(time).scheduler(time).build()) {
      for (int i = 0; i < 50; i++) {
        sent.add(broadcaster.on(new Channel("c" + i)).as("E").with(Map.of("i", i)).send());
      }
      CompletableFuture<Void> all = CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new));
      FakeTimeRuns.run(time, all);
      assertThat(failures).isEmpty();
    }
    assertThat(delivered).hasSize(50);
  }

  @Test
  void theDefaultPolicyIsWhatTheReadmeSays() {
    RetryPolicy defaults = RetryPolicy.defaults();
    assertThat(defaults.maxAttempts()).isEqualTo(15);
    assertThat(defaults.baseDelay()).isEqualTo(Duration.ofMillis(100));
    assertThat(defaults.maxDelay()).isEqualTo(Duration.ofSeconds(10));
    assertThat(defaults.deadline()).isEqualTo(Duration.ofMinutes(2));
    // the shortest the 14 pauses can be (equal jitter: at least half of each) is over 30 s
    long shortest = 0;
    long longest = 0;
    for (int attempt = 1; attempt < defaults.maxAttempts(); attempt++) {
      long exp = Math.min(defaults.maxDelay().toNanos(), defaults.baseDelay().toNanos() << (attempt - 1));
      shortest += exp / 2;
      longest += exp;
      for (int sample = 0; sample < 100; sample++) {
        assertThat(defaults.delayNanosAfter(attempt)).isBetween(exp / 2, exp);
      }
    }
    assertThat(Duration.ofNanos(shortest)).isEqualTo(Duration.ofMillis(41_350));
    assertThat(Duration.ofNanos(longest)).isEqualTo(Duration.ofMillis(82_700)).isLessThan(defaults.deadline());
  }
}
