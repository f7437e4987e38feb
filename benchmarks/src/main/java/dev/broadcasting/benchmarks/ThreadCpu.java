package dev.broadcasting.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * CPU time of this JVM's threads by kind (a thread's name without its numbers: all event loops
 * together, all producers together), so that a run's cost per event can be split by who spent it.
 * Threads that end within a run count only if they {@link #ending()} first.
 *
 * <pre>{@code
 * Map<String, Long> before = ThreadCpu.byKind();
 * run();
 * System.out.println(ThreadCpu.perEvent(ThreadCpu.since(before), events));
 * }</pre>
 */
final class ThreadCpu {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
  /** CPU time of the threads that ended, by kind. */
  private static final Map<String, Long> ENDED = new ConcurrentHashMap<>();

  private ThreadCpu() {}

  /** Called last by a thread that ends within a measured run, to keep its CPU time. */
  static void ending() {
    ENDED.merge(kind(Thread.currentThread().getName()), THREADS.getCurrentThreadCpuTime(), Long::sum);
  }

  /** CPU nanoseconds spent so far by each kind of thread, the ended ones included. */
  static Map<String, Long> byKind() {
    Map<String, Long> spent = new HashMap<>(ENDED);
    for (Thread thread : Thread.getAllStackTraces().keySet()) {
      long nanos = THREADS.getThreadCpuTime(thread.getId());
      if (nanos > 0) {
        spent.merge(kind(thread.getName()), nanos, Long::sum);
      }
    }
    return spent;
  }

  /** What each kind spent since {@code before}. */
  static Map<String, Long> since(Map<String, Long> before) {
    Map<String, Long> spent = byKind();
    spent.replaceAll((kind, nanos) -> nanos - before.getOrDefault(kind, 0L));
    return spent;
  }

  /** Adds {@code more} to {@code into}, kind by kind. */
  static void add(Map<String, Long> into, Map<String, Long> more) {
    more.forEach((kind, nanos) -> into.merge(kind, nanos, Long::sum));
  }

  /** "kind 12.3, other 4.5" in microseconds per event, the largest first, kinds under 0.05 left out. */
  static String perEvent(Map<String, Long> spent, double events) {
    StringBuilder line = new StringBuilder();
    spent.entrySet().stream().filter(e -> e.getValue() / events >= 50)
        .sorted((a, b) -> Long.compare(b.getValue(), a.getValue()))
        .forEach(e -> line.append(line.length() == 0 ? "" : ", ")
            .append(String.format(Locale.ROOT, "%s %.1f", e.getKey(), e.getValue() / events / 1e3)));
    return line.toString();
  }

  private static String kind(String threadName) {
    return threadName.replaceAll("[-#]?\\d+", "");
  }
}
