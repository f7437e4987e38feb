package dev.broadcasting.benchmarks;

import dev.broadcasting.Broadcaster;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Callable;
import java.util.function.ToDoubleFunction;

/**
 * Every goal of issue #15, each measured side by side with its peer in one run, rounds of ours and
 * of the peer's taking turns so that a change of load hits both; prints every round, writes the
 * table to {@code goals.md} and the raw output to {@code goals.txt} in the output folder, and
 * puts the table into {@code RESULTS.md}. {@code benchmarks/run-goals.sh [--short]} runs it.
 *
 * <pre>{@code java -cp benchmarks.jar dev.broadcasting.benchmarks.Goals --short --out results/x --results RESULTS.md}</pre>
 */
public final class Goals {
  /** Counts per round. The short mode is a smoke test: its figures are for comparing with other short runs only. */
  record Sizes(String mode, int rounds, int redisEvents, int latencySamples, int httpEvents, int slowOrdered,
      int slowPeer, int dispatcherEvents, Duration limit) {
    static final Sizes FULL = new Sizes("full", 5, 200_000, 20_000, 40_000, 400, 10_000, 2_000_000, Duration.ofSeconds(120));
    static final Sizes SHORT = new Sizes("short", 1, 4_000, 1_000, 1_000, 20, 500, 100_000, Duration.ofSeconds(20));
  }

  private final Sizes sizes;
  private final PrintStream log;

  Goals(Sizes sizes, PrintStream log) {
    this.sizes = sizes;
    this.log = log;
  }

  public static void main(String[] args) throws Exception {
    List<String> options = List.of(args);
    Sizes sizes = options.contains("--short") ? Sizes.SHORT : Sizes.FULL;
    Path out = Path.of(value(options, "--out", "benchmarks/results/goals-" + Instant.now().getEpochSecond()));
    String results = value(options, "--results", null);
    String readme = value(options, "--readme", null);
    Files.createDirectories(out);
    try (PrintStream raw = new PrintStream(Files.newOutputStream(out.resolve("goals.txt")), true, StandardCharsets.UTF_8)) {
      PrintStream log = new Tee(System.out, raw);
      String loadBefore = loadAverage();
      Instant start = Instant.now().truncatedTo(ChronoUnit.SECONDS);
      log.println("goals of issue #15, " + sizes.mode() + " mode, " + start + ", load average " + loadBefore);
      List<GoalRow> rows = new Goals(sizes, log).measure();
      String loadAfter = loadAverage();
      log.println("load average after: " + loadAfter);
      String section = section(sizes, start, loadBefore, loadAfter, out, rows, "## ", "");
      log.println();
      log.println(section);
      Files.writeString(out.resolve("goals.md"), section);
      if (results != null) {
        Path document = Path.of(results);
        Files.writeString(document, ResultsDocument.splice(Files.readString(document), section));
      }
      if (readme != null) {
        // the README's performance table is this same section, one heading level down, its links from the root
        Path document = Path.of(readme);
        String nested = section(sizes, start, loadBefore, loadAfter, out, rows, "### ", "benchmarks/");
        Files.writeString(document, ResultsDocument.splice(Files.readString(document), nested));
      }
    }
  }

  List<GoalRow> measure() throws Exception {
    List<GoalRow> rows = new ArrayList<>();
    rows.addAll(new RedisGoals(this).measure());
    rows.addAll(new HttpGoals(this).measure());
    rows.add(dispatcher());
    return rows;
  }

  Sizes sizes() {
    return sizes;
  }

  PrintStream log() {
    return log;
  }

  /**
   * One warm-up round of each side, then {@code rounds} of each in turn, {@code [ours, peer]}. Every
   * round goes to the log.
   */
  Round[][] sideBySide(Callable<Round> ours, Callable<Round> peer) throws Exception {
    log.println("  warm-up: " + ours.call().describe());
    log.println("  warm-up: " + peer.call().describe());
    Round[] mine = new Round[sizes.rounds()];
    Round[] theirs = new Round[sizes.rounds()];
    for (int i = 0; i < sizes.rounds(); i++) {
      mine[i] = ours.call();
      log.println("  " + mine[i].describe());
      theirs[i] = peer.call();
      log.println("  " + theirs[i].describe());
    }
    return new Round[][] {mine, theirs};
  }

  /** One warm-up round, then {@code rounds}. */
  Round[] alone(Callable<Round> side) throws Exception {
    log.println("  warm-up: " + side.call().describe());
    Round[] rounds = new Round[sizes.rounds()];
    for (int i = 0; i < rounds.length; i++) {
      rounds[i] = side.call();
      log.println("  " + rounds[i].describe());
    }
    return rounds;
  }

  static double medianRate(Round[] rounds) {
    return median(rounds, Round::rate);
  }

  static double medianCpu(Round[] rounds) {
    return median(rounds, Round::cpuMicrosPerEvent);
  }

  private static double median(Round[] rounds, ToDoubleFunction<Round> figure) {
    double[] values = Arrays.stream(rounds).mapToDouble(figure).sorted().toArray();
    return values[values.length / 2];
  }

  /** Queued broadcasts from 4 producer threads over 1,024 channels through a driver that does nothing. */
  private GoalRow dispatcher() throws Exception {
    log.println("dispatcher: 4 producers, 1024 channels, in-memory driver");
    try (Broadcaster broadcaster = Broadcaster.builder().connection("memory", new InMemoryDriver())
        .blockWhenFull(Duration.ofMinutes(1)).build()) {
      Round[] rounds = alone(() -> producers(broadcaster, 4, GoalEvent.CHANNELS, sizes.dispatcherEvents()));
      return GoalRow.atLeastFigure("dispatcher, 4 producers, 1,024 channels, in-memory driver: ≥ 1,000,000 events/s",
          medianRate(rounds), 1_000_000, "events/s");
    }
  }

  /**
   * {@code producers} threads broadcast {@code events} in all, each walking the channels; the round
   * ends when the last event of every producer on every channel is answered, which, with core's
   * per-channel order, is when all are. No per-event callback, so nothing is added to the path.
   */
  static Round producers(Broadcaster broadcaster, int producers, int channels, int events) throws Exception {
    int each = events / producers;
    GoalEvent[] pool = new GoalEvent[channels];
    Arrays.setAll(pool, GoalEvent::new);
    List<CompletableFuture<?>[]> lasts = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
    for (int p = 0; p < producers; p++) {
      CompletableFuture<?>[] last = new CompletableFuture<?>[channels];
      lasts.add(last);
      int offset = p;
      Thread thread = new Thread(() -> {
        try {
          go.await();
        } catch (InterruptedException e) {
          return;
        }
        for (int i = 0; i < each; i++) {
          int channel = (i + offset) % channels;
          last[channel] = broadcaster.broadcast(pool[channel]);
        }
      }, "producer-" + p);
      thread.start();
      threads.add(thread);
    }
    var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    long cpu = os.getProcessCpuTime();
    long start = System.nanoTime();
    go.countDown();
    for (Thread thread : threads) {
      thread.join();
    }
    long failed = 0;
    for (CompletableFuture<?>[] last : lasts) {
      for (CompletableFuture<?> future : last) {
        if (future != null && future.handle((ok, error) -> error != null).join()) {
          failed++;
        }
      }
    }
    long nanos = System.nanoTime() - start;
    long sent = (long) each * producers;
    // a failed last event is counted as the one failure seen; the earlier events of its channel are not known
    return new Round("dispatcher " + producers + " producers, " + channels + " channels", (int) sent,
        sent - failed, failed, nanos, os.getProcessCpuTime() - cpu);
  }

  private static String section(Sizes sizes, Instant start, String loadBefore, String loadAfter, Path out,
      List<GoalRow> rows, String heading, String linkPrefix) {
    StringBuilder text = new StringBuilder();
    text.append(heading).append("Goals of issue #15, side by side\n\n");
    text.append("Generated by `benchmarks/run-goals.sh").append(sizes.mode().equals("short") ? " --short" : "")
        .append("` (").append(sizes.mode()).append(" mode) at ").append(start).append(" on ")
        .append(Runtime.getRuntime().availableProcessors()).append(" cores; load average ").append(loadBefore)
        .append(" before, ").append(loadAfter).append(" after. Raw output, every round: [`").append(linkPrefix)
        .append("results/").append(out.getFileName()).append("/goals.txt`](").append(linkPrefix).append("results/")
        .append(out.getFileName())
        .append("/goals.txt). Each figure is the median of ")
        .append(sizes.rounds()).append(" round(s) after a warm-up round; ours and the peer's rounds take turns.")
        .append(" CPU is the whole JVM's (the loopback sink's included, for both sides) per delivered event.\n\n");
    // the load after is mostly the run's own: its JVM, the sinks, redis-server and redis-benchmark
    if (busy(loadBefore)) {
      text.append("**The load average was above the number of cores: other work took the CPU, so wall-clock figures"
          + " (events/s, latency) and their verdicts are unreliable; CPU per event less so. Run again on a quiet"
          + " machine before quoting any verdict.**\n\n");
    }
    text.append(GoalRow.header()).append('\n');
    for (GoalRow row : rows) {
      text.append(row.markdown()).append('\n');
    }
    return text.toString();
  }

  /** Whether a load average ("1.2 0.8 0.5") shows more runnable work than there are cores. */
  static boolean busy(String loadAverage) {
    try {
      return Double.parseDouble(loadAverage.split(" ")[0]) > Runtime.getRuntime().availableProcessors();
    } catch (NumberFormatException e) {
      return false;
    }
  }

  private static String value(List<String> options, String name, String otherwise) {
    int at = options.indexOf(name);
    if (at < 0) {
      return otherwise;
    }
    if (at + 1 >= options.size()) {
      throw new IllegalArgumentException(name + " needs a value after it");
    }
    return options.get(at + 1);
  }

  static String loadAverage() {
    try {
      String[] fields = Files.readString(Path.of("/proc/loadavg")).split(" ");
      return fields[0] + " " + fields[1] + " " + fields[2];
    } catch (IOException e) {
      return "unknown";
    }
  }

  /** Writes to the console and to the raw output file at once. */
  private static final class Tee extends PrintStream {
    private final PrintStream second;

    Tee(PrintStream first, PrintStream second) {
      super(first, true, StandardCharsets.UTF_8);
      this.second = second;
    }

    @Override
    public void write(byte[] buf, int off, int len) {
      super.write(buf, off, len);
      second.write(buf, off, len);
    }

    @Override
    public void write(int b) {
      super.write(b);
      second.write(b);
    }
  }
}
