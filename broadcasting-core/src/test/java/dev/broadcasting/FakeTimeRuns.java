package dev.broadcasting;

import dev.broadcasting.testing.FakeTime;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs a test's events to completion on fake time: the clock jumps to the next scheduled task only
 * (a retry, a timeout), never past one, so time moves as the dispatcher asks and no faster.
 */
final class FakeTimeRuns {
  private FakeTimeRuns() {}

  static <T> T run(FakeTime time, CompletableFuture<T> future) throws Exception {
    long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!future.isDone()) {
      if (System.nanoTime() > giveUp) {
        throw new AssertionError("not done after 20 s: " + time);
      }
      try {
        // work on the dispatcher's threads first; move the clock only when it is waiting for time
        future.get(2, TimeUnit.MILLISECONDS);
      } catch (TimeoutException | ExecutionException e) {
        time.advanceToNext();
      }
    }
    return future.get();
  }
}
