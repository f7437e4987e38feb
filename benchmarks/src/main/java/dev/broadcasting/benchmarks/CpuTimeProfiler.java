package dev.broadcasting.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

/**
 * CPU time per operation, which stays meaningful when the machine is shared: a benchmark that gets
 * a fifth of a core is a fifth as fast in wall-clock time, but spends the same CPU time on each
 * operation. Reports, per iteration:
 * <ul>
 *   <li>{@code ·cpu.ns/op}: CPU time of the whole benchmark JVM (JIT, GC, driver and sink threads
 *       included) divided by the operations measured;</li>
 *   <li>{@code ·worker.ns/op}: CPU time of the JMH benchmark threads only;</li>
 *   <li>{@code ·cores}: CPU time of the JVM over wall-clock time, how many cores it really had.</li>
 * </ul>
 *
 * <pre>{@code java -jar benchmarks.jar CoreBenchmark -prof dev.broadcasting.benchmarks.CpuTimeProfiler}</pre>
 */
public final class CpuTimeProfiler implements InternalProfiler {
  private final com.sun.management.OperatingSystemMXBean os =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
  private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
  private long processStart;
  private long wallStart;
  private Map<Long, Long> workerStart = Map.of();

  @Override
  public String getDescription() {
    return "CPU time per operation, of the JVM and of the benchmark threads";
  }

  @Override
  public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {
    workerStart = workerCpu();
    wallStart = System.nanoTime();
    processStart = os.getProcessCpuTime();
  }

  @Override
  public List<? extends Result<?>> afterIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams,
      IterationResult result) {
    long process = os.getProcessCpuTime() - processStart;
    long wall = System.nanoTime() - wallStart;
    long worker = 0;
    for (Map.Entry<Long, Long> now : workerCpu().entrySet()) {
      worker += now.getValue() - workerStart.getOrDefault(now.getKey(), 0L);
    }
    // JMH counts the operations of an @OperationsPerInvocation benchmark already multiplied
    double ops = Math.max(1, result.getMetadata().getMeasuredOps());
    return List.of(
        new ScalarResult("cpu.ns/op", process / ops, "ns/op", AggregationPolicy.AVG),
        new ScalarResult("worker.ns/op", worker / ops, "ns/op", AggregationPolicy.AVG),
        new ScalarResult("cores", (double) process / wall, "cores", AggregationPolicy.AVG));
  }

  /** CPU time of each live JMH worker thread, by thread id. */
  private Map<Long, Long> workerCpu() {
    Map<Long, Long> cpu = new HashMap<>();
    for (Thread thread : Thread.getAllStackTraces().keySet()) {
      if (thread.getName().contains("jmh-worker")) {
        long time = threads.getThreadCpuTime(thread.getId());
        if (time >= 0) {
          cpu.put(thread.getId(), time);
        }
      }
    }
    return cpu;
  }
}
