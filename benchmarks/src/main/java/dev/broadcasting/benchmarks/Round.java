package dev.broadcasting.benchmarks;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;

/**
 * One timed round of a goal: {@code events} sends, the wall-clock time until the last answer, and
 * the CPU time the whole JVM spent meanwhile (the loopback sink's included, for us and for the peer
 * alike). An event counts as delivered only when its future completes normally.
 *
 * <pre>{@code
 * Round round = Round.run("pusher queued", 20_000, 0, Duration.ofMinutes(1), i -> broadcaster.broadcast(event(i)));
 * double perSecond = round.rate();
 * }</pre>
 *
 * @param name what was sent, for the raw output
 * @param events events sent
 * @param delivered events whose future completed normally before the time limit
 * @param failed events whose future failed
 * @param nanos wall-clock time from the first send to the last answer, or to the time limit
 * @param cpuNanos CPU time of the JVM over the same span
 */
record Round(String name, int events, long delivered, long failed, long nanos, long cpuNanos) {
  private static final com.sun.management.OperatingSystemMXBean OS =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

  /**
   * Sends {@code events} with {@code send} from this thread, at most {@code inFlight} unanswered at
   * once ({@code 0}: no limit of ours, as for queued broadcasts, which the broadcaster's own bounded
   * queue paces), and waits for the answers up to {@code limit}.
   */
  static Round run(String name, int events, int inFlight, Duration limit, IntFunction<? extends CompletableFuture<?>> send)
      throws InterruptedException {
    Semaphore window = new Semaphore(inFlight > 0 ? inFlight : Integer.MAX_VALUE);
    CountDownLatch answered = new CountDownLatch(events);
    AtomicLong delivered = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    AtomicLong lastAnswer = new AtomicLong();
    long cpuStart = OS.getProcessCpuTime();
    long start = System.nanoTime();
    // measured from start, so a round that runs to its limit reports at least the limit
    long deadline = start + limit.toNanos();
    for (int i = 0; i < events; i++) {
      if (!window.tryAcquire(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
        break;
      }
      send.apply(i).whenComplete((ok, error) -> {
        (error == null ? delivered : failed).incrementAndGet();
        lastAnswer.accumulateAndGet(System.nanoTime(), Math::max);
        window.release();
        answered.countDown();
      });
    }
    boolean all = answered.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    long end = all ? lastAnswer.get() : System.nanoTime();
    long cpu = OS.getProcessCpuTime() - cpuStart;
    return new Round(name, events, delivered.get(), failed.get(), end - start, cpu);
  }

  /** Delivered events per second. */
  double rate() {
    return nanos == 0 ? 0 : delivered * 1e9 / nanos;
  }

  /** JVM CPU time per delivered event, in microseconds. */
  double cpuMicrosPerEvent() {
    return delivered == 0 ? Double.NaN : cpuNanos / 1e3 / delivered;
  }

  /** One line of raw output. */
  String describe() {
    // cores: the JVM's CPU time over the wall-clock time, how much of the machine it really got
    String cpu = cpuNanos == 0 ? "CPU not in this JVM" : String.format(Locale.ROOT, "%9.1f us CPU/event %5.2f cores",
        cpuMicrosPerEvent(), cpuNanos / (double) nanos);
    return String.format(Locale.ROOT, "%-52s %,9d sent %,9d delivered %,6d failed %8.3f s %,12.0f events/s %s",
        name, events, delivered, failed, nanos / 1e9, rate(), cpu);
  }
}
