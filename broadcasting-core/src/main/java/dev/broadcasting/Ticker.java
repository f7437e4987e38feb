package dev.broadcasting;

/**
 * The dispatcher's clock, in nanoseconds from an arbitrary origin, as Caffeine's {@code Ticker}.
 * Tests give a fake one, with a matching {@link Scheduler}, to move time by hand.
 *
 * <pre>{@code
 * Broadcaster.builder().ticker(fakeTime::nanos).scheduler(fakeTime)...
 * }</pre>
 */
@FunctionalInterface
public interface Ticker {

  /** Nanoseconds; only differences between two readings mean anything. */
  long read();

  /** {@link System#nanoTime()}. */
  static Ticker system() {
    return System::nanoTime;
  }
}
