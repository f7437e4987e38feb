package dev.broadcasting.benchmarks;

import dev.broadcasting.Broadcaster;
import dev.broadcasting.queue.redis.RedisStreamQueue;
import dev.broadcasting.redis.RedisBroadcastDriver;
import dev.broadcasting.spi.BroadcastDriver;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The durable queue against the in-memory one, in the same run with the same driver: events a
 * second from {@code broadcast()} until delivered (each event's future complete, which for the
 * durable queue means written to the stream, read by the worker in this process, sent, and
 * acknowledged), and CPU time per event, of this JVM alone and of this JVM plus the redis-server
 * processes. The goal of issue #17: the durable queue reaches at least 50 % of the in-memory
 * queue's events a second.
 *
 * <p>Two drivers: the redis driver publishing to a second local redis-server (a real transport),
 * and a driver that does nothing ({@link InMemoryDriver}, the queue's cost alone). Four producer
 * threads broadcast {@code OrderShipped} on 64 channels; rounds alternate between the two queues,
 * and the median of each is printed.
 *
 * <pre>{@code java -cp benchmarks/target/benchmarks.jar dev.broadcasting.benchmarks.DurableQueueBenchmark [--short]
 *     [--producers N] [--driver redis|no-op] [--read-linger ms]}</pre>
 *
 * <p>{@code --driver} runs one driver's comparison only (both by default): {@code no-op} is the one
 * to profile the queue with.
 */
public final class DurableQueueBenchmark {
  private static int producers = 4;
  /** The producer threads, alive across rounds so that {@link ThreadCosts} counts them. */
  private static ExecutorService PRODUCERS;
  private static final int CHANNELS = 64;
  /** The queue's read linger ({@code --read-linger ms}); null: the queue's default. */
  private static Duration readLinger;
  private static final com.sun.management.OperatingSystemMXBean OS =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

  private DurableQueueBenchmark() {}

  /** One round's figures; {@code switches} context switches of this JVM's threads per event: how often a thread slept and woke */
  record Figures(double eventsPerSecond, double jvmCpuNanos, double totalCpuNanos, double switches) {}

  public static void main(String[] args) throws Exception {
    boolean quick = List.of(args).contains("--short");
    int events = quick ? 20_000 : 100_000;
    int rounds = quick ? 3 : 5;
    int at = List.of(args).indexOf("--producers");
    if (at >= 0) {
      producers = Integer.parseInt(args[at + 1]);
    }
    int linger = List.of(args).indexOf("--read-linger");
    if (linger >= 0) {
      readLinger = Duration.ofMillis(Long.parseLong(args[linger + 1]));
    }
    AtomicInteger named = new AtomicInteger();
    PRODUCERS = Executors.newFixedThreadPool(producers, task -> {
      Thread thread = new Thread(task, "producer-" + named.getAndIncrement());
      thread.setDaemon(true);
      return thread;
    });
    try (RedisProcess queueRedis = RedisProcess.start(); RedisProcess deliveryRedis = RedisProcess.start()) {
      long[] servers = {queueRedis.pid(), deliveryRedis.pid()};
      System.out.printf(Locale.ROOT, "%d events a round, %d producer threads, %d channels, %d rounds after "
          + "2 warm-up rounds; %d processors%n", events, producers, CHANNELS, rounds,
          Runtime.getRuntime().availableProcessors());
      int only = List.of(args).indexOf("--driver");
      String driver = only >= 0 ? args[only + 1] : "both";
      if (!List.of("both", "redis", "no-op").contains(driver)) {
        throw new IllegalArgumentException("--driver must be redis or no-op but was " + driver);
      }
      if (!driver.equals("no-op")) {
        compare("redis driver", () -> RedisBroadcastDriver.builder().uri("redis://127.0.0.1:" + deliveryRedis.port())
            .build(), queueRedis, servers, events, rounds);
      }
      if (!driver.equals("redis")) {
        compare("no-op driver", InMemoryDriver::new, queueRedis, servers, events, rounds);
      }
    }
  }

  private static void compare(String driverName, Supplier<BroadcastDriver> driver, RedisProcess queueRedis,
      long[] servers, int events, int rounds) throws Exception {
    RedisStreamQueue.Builder builder = RedisStreamQueue.builder().uri("redis://127.0.0.1:" + queueRedis.port())
        .prefix("bench:" + driverName.replace(' ', '-'));
    if (readLinger != null) {
      builder.readLinger(readLinger);
    }
    RedisStreamQueue queue = builder.build();
    try (Broadcaster memory = Broadcaster.builder().connection("main", driver.get())
            .blockWhenFull(Duration.ofMinutes(1)).build();
        Broadcaster durable = Broadcaster.builder().connection("main", driver.get()).queue(queue).build()) {
      for (int warmUp = 0; warmUp < 2; warmUp++) {
        round(memory, events, servers);
        round(durable, events, servers);
      }
      List<Figures> inMemory = new ArrayList<>();
      List<Figures> inStreams = new ArrayList<>();
      io.lettuce.core.RedisClient admin = io.lettuce.core.RedisClient.create("redis://127.0.0.1:" + queueRedis.port());
      var stats = admin.connect().sync();
      stats.configResetstat();
      String lastDurableRound = "";
      for (int i = 0; i < rounds; i++) {
        inMemory.add(round(memory, events, servers));
        ThreadCosts before = ThreadCosts.now();
        inStreams.add(round(durable, events, servers));
        lastDurableRound = ThreadCosts.now().minus(before).perEvent(events);
      }
      String commands = commandsPerEvent(stats.info("commandstats"), (double) events * rounds);
      admin.shutdown();
      Figures m = median(inMemory);
      Figures d = median(inStreams);
      System.out.printf(Locale.ROOT, "%s, in-memory queue: %.0f events/s, CPU %.1f us/event in the JVM, "
          + "%.1f us/event with redis-server, %.2f thread switches/event%n", driverName, m.eventsPerSecond(),
          m.jvmCpuNanos() / 1e3, m.totalCpuNanos() / 1e3, m.switches());
      System.out.printf(Locale.ROOT, "%s, durable queue:   %.0f events/s, CPU %.1f us/event in the JVM, "
          + "%.1f us/event with redis-server, %.2f thread switches/event%n", driverName, d.eventsPerSecond(),
          d.jvmCpuNanos() / 1e3, d.totalCpuNanos() / 1e3, d.switches());
      System.out.printf(Locale.ROOT, "%s: durable/in-memory = %.0f%% of the events/s (goal >= 50%%), "
          + "%.1fx the CPU per event with redis-server%n", driverName, 100 * d.eventsPerSecond() / m.eventsPerSecond(),
          d.totalCpuNanos() / m.totalCpuNanos());
      System.out.printf(Locale.ROOT, "%s: the queue's Redis ran, per durable event, %s%n", driverName, commands);
      System.out.printf(Locale.ROOT, "%s: the last durable round, by thread:%n%s", driverName, lastDurableRound);
    }
  }

  /**
   * From {@code INFO commandstats}: each command's calls per event and its time in Redis per event
   * (a script's time includes the commands it calls, which are listed as well), most frequent first.
   */
  private static String commandsPerEvent(String commandStats, double events) {
    StringBuilder line = new StringBuilder();
    commandStats.lines().filter(l -> l.startsWith("cmdstat_"))
        .map(l -> new Object[] {l.substring(8, l.indexOf(':')), field(l, "calls="), field(l, "usec=")})
        .sorted((a, b) -> Long.compare((Long) b[1], (Long) a[1]))
        .forEach(c -> line.append(line.length() == 0 ? "" : ", ")
            .append(String.format(Locale.ROOT, "%s %.3f (%.2f us)", c[0], (Long) c[1] / events, (Long) c[2] / events)));
    return line.toString();
  }

  private static long field(String commandStat, String name) {
    int at = commandStat.indexOf(name) + name.length();
    return Long.parseLong(commandStat.substring(at, commandStat.indexOf(',', at)));
  }

  /** {@code events} broadcasts from {@code producers} threads (4, or {@code --producers N}), timed until every one is delivered. */
  private static Figures round(Broadcaster broadcaster, int events, long[] servers) throws Exception {
    return round(broadcaster, events, servers, PRODUCERS, producers);
  }

  /**
   * {@code events} broadcasts of {@code OrderShipped} on 64 channels from {@code producers} threads
   * of {@code pool}, timed until every one is delivered; CPU of this JVM and of the {@code servers}.
   */
  static Figures round(Broadcaster broadcaster, int events, long[] servers, ExecutorService pool, int producers)
      throws Exception {
    long serverCpu = serverCpuNanos(servers);
    long switches = contextSwitches();
    long jvmCpu = OS.getProcessCpuTime();
    long start = System.nanoTime();
    List<CompletableFuture<Void>> running = new ArrayList<>();
    for (int p = 0; p < producers; p++) {
      int first = p;
      running.add(CompletableFuture.supplyAsync(() -> {
        CompletableFuture<?>[] sent = new CompletableFuture<?>[events / producers];
        for (int i = 0; i < sent.length; i++) {
          sent[i] = broadcaster.broadcast(OrderShipped.sample((first + i * producers) % CHANNELS));
        }
        return CompletableFuture.allOf(sent);
      }, pool).thenCompose(all -> all));
    }
    CompletableFuture.allOf(running.toArray(CompletableFuture[]::new)).get();
    long wall = System.nanoTime() - start;
    long jvm = OS.getProcessCpuTime() - jvmCpu;
    long total = jvm + serverCpuNanos(servers) - serverCpu;
    int sent = events / producers * producers;
    return new Figures(sent * 1e9 / wall, (double) jvm / sent, (double) total / sent,
        (double) (contextSwitches() - switches) / sent);
  }

  static Figures median(List<Figures> rounds) {
    double[] rate = rounds.stream().mapToDouble(Figures::eventsPerSecond).sorted().toArray();
    double[] jvm = rounds.stream().mapToDouble(Figures::jvmCpuNanos).sorted().toArray();
    double[] total = rounds.stream().mapToDouble(Figures::totalCpuNanos).sorted().toArray();
    double[] switches = rounds.stream().mapToDouble(Figures::switches).sorted().toArray();
    return new Figures(rate[rate.length / 2], jvm[jvm.length / 2], total[total.length / 2],
        switches[switches.length / 2]);
  }

  /** Voluntary and involuntary context switches of every thread of this JVM, from {@code /proc/self/task}. */
  private static long contextSwitches() throws IOException {
    long switches = 0;
    try (var tasks = Files.list(Path.of("/proc/self/task"))) {
      for (Path task : tasks.toList()) {
        try {
          for (String line : Files.readAllLines(task.resolve("status"))) {
            if (line.contains("ctxt_switches:")) {
              switches += Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
            }
          }
        } catch (IOException ended) {
          // the thread ended between the listing and the read
        }
      }
    }
    return switches;
  }

  /** utime + stime of each process from {@code /proc/<pid>/stat}, in nanoseconds (clock ticks of 10 ms). */
  private static long serverCpuNanos(long[] pids) throws IOException {
    long ticks = 0;
    for (long pid : pids) {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      ticks += Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }
    return ticks * 10_000_000L;
  }
}
