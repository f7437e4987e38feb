package dev.broadcasting.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * CPU time and voluntary context switches (a thread going to sleep, hence a wake-up later) of this
 * JVM's threads, grouped by thread name with the digits dropped, from {@code /proc/self/task}: a
 * snapshot before and after a round gives, per event, where the CPU went and how often each kind of
 * thread parked. Linux only; threads that end between two snapshots drop out of the difference.
 *
 * <pre>{@code
 * ThreadCosts before = ThreadCosts.now();
 * // ... a round of 40,000 events
 * System.out.println(ThreadCosts.now().minus(before).perEvent(40_000));
 * }</pre>
 */
record ThreadCosts(Map<String, long[]> byGroup) {
  /** Linux clock ticks are 10 ms; {@code /proc/<pid>/task/<tid>/stat} counts utime and stime in them. */
  private static final long NANOS_PER_TICK = 10_000_000L;

  static ThreadCosts now() throws IOException {
    Map<String, long[]> groups = new TreeMap<>();
    try (var tasks = Files.list(Path.of("/proc/self/task"))) {
      for (Path task : tasks.toList()) {
        try {
          String stat = Files.readString(task.resolve("stat"));
          String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replaceAll("[0-9]+", "#");
          String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          long cpu = (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * NANOS_PER_TICK;
          long voluntary = 0;
          for (String line : Files.readAllLines(task.resolve("status"))) {
            if (line.startsWith("voluntary_ctxt_switches:")) {
              voluntary = Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
            }
          }
          long[] sums = groups.computeIfAbsent(name, n -> new long[2]);
          sums[0] += cpu;
          sums[1] += voluntary;
        } catch (IOException | RuntimeException ended) {
          // the thread ended between the listing and the read
        }
      }
    }
    return new ThreadCosts(groups);
  }

  ThreadCosts minus(ThreadCosts before) {
    Map<String, long[]> difference = new TreeMap<>();
    byGroup.forEach((name, sums) -> {
      long[] earlier = before.byGroup.getOrDefault(name, new long[2]);
      difference.put(name, new long[] {sums[0] - earlier[0], sums[1] - earlier[1]});
    });
    return new ThreadCosts(difference);
  }

  /**
   * As {@link #perEvent}, each group's median over several rounds ({@code events.get(i)} events in
   * {@code rounds.get(i)}; a group missing from a round counts 0 there).
   */
  static String medianPerEvent(List<ThreadCosts> rounds, List<Long> events) {
    Map<String, long[]> medians = new TreeMap<>();
    rounds.forEach(round -> round.byGroup.keySet().forEach(name -> medians.put(name, new long[2])));
    medians.forEach((name, median) -> {
      for (int field = 0; field < 2; field++) {
        double[] perEvent = new double[rounds.size()];
        for (int i = 0; i < perEvent.length; i++) {
          perEvent[i] = (double) rounds.get(i).byGroup.getOrDefault(name, new long[2])[field] / events.get(i);
        }
        Arrays.sort(perEvent);
        // scaled back to a million events, so that perEvent prints the median per event
        median[field] = Math.round(perEvent[perEvent.length / 2] * 1_000_000);
      }
    });
    return new ThreadCosts(medians).perEvent(1_000_000);
  }

  /** One line per thread group with any CPU or switch: µs of CPU and sleeps per event. */
  String perEvent(long events) {
    StringBuilder text = new StringBuilder();
    byGroup.forEach((name, sums) -> {
      if (sums[0] > 0 || sums[1] > events / 100) {
        text.append(String.format(Locale.ROOT, "    %-18s %7.2f us CPU/event %6.3f sleeps/event%n", name,
            sums[0] / 1e3 / events, (double) sums[1] / events));
      }
    });
    return text.toString();
  }
}
