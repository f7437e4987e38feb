package dev.broadcasting;

import java.time.Duration;
import java.util.concurrent.Future;

/**
 * Runs a task after a delay: the dispatcher's retry back-off, attempt timeouts and close deadline.
 * By default one daemon thread the broadcaster owns and stops on close; tests give a fake one that
 * runs due tasks when they move its time, with the matching {@link Ticker}.
 *
 * <pre>{@code
 * Broadcaster.builder().ticker(fakeTime::nanos).scheduler(fakeTime)...
 * }</pre>
 */
@FunctionalInterface
public interface Scheduler {

  /**
   * Runs {@code task} once, after {@code delay}. The task must be cheap: it hands its work on. The
   * returned future cancels the task.
   */
  Future<?> schedule(Runnable task, Duration delay);
}
