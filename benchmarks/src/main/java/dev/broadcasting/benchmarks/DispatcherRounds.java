package dev.broadcasting.benchmarks;

import dev.broadcasting.Broadcaster;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Locale;

/**
 * The dispatcher row of the goals ({@link Goals#producers}: 4 producers, 1,024 channels, the
 * in-memory driver) alone, round after round in one JVM, with the figures that a loaded machine
 * disturbs least next to events/s: CPU and bytes allocated per event, both the whole JVM's.
 *
 * <pre>{@code java -cp benchmarks/target/benchmarks.jar dev.broadcasting.benchmarks.DispatcherRounds 8 1000000}</pre>
 *
 * Arguments: rounds (8), events per round (1,000,000). The first rounds are JIT warm-up: compare
 * the last ones.
 */
public final class DispatcherRounds {
  private DispatcherRounds() {}

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 8;
    int events = args.length > 1 ? Integer.parseInt(args[1]) : 1_000_000;
    var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    System.out.println("dispatcher rounds: 4 producers, " + GoalEvent.CHANNELS + " channels, in-memory driver, "
        + String.format(Locale.ROOT, "%,d", events) + " events a round; load average " + Goals.loadAverage());
    try (Broadcaster broadcaster = Broadcaster.builder().connection("memory", new InMemoryDriver())
        .blockWhenFull(Duration.ofMinutes(1)).build()) {
      for (int i = 0; i < rounds; i++) {
        long allocated = threads.getTotalThreadAllocatedBytes();
        Round round = Goals.producers(broadcaster, 4, GoalEvent.CHANNELS, events);
        allocated = threads.getTotalThreadAllocatedBytes() - allocated;
        System.out.println(String.format(Locale.ROOT, "round %d: %,12.0f events/s %7.0f ns CPU/event %6.0f B/event "
            + "%5.2f cores %d failed", i + 1, round.rate(), round.cpuNanos() / (double) round.delivered(),
            allocated / (double) round.delivered(), round.cpuNanos() / (double) round.nanos(), round.failed()));
      }
    }
    System.out.println("load average after: " + Goals.loadAverage());
  }
}
