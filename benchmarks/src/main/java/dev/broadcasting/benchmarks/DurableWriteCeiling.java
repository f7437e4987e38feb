package dev.broadcasting.benchmarks;

import dev.broadcasting.Broadcaster;
import dev.broadcasting.RetryPolicy;
import dev.broadcasting.queue.redis.RedisStreamQueue;
import dev.broadcasting.queue.redis.internal.QueueSettings;
import dev.broadcasting.queue.redis.internal.StreamEntry;
import dev.broadcasting.queue.redis.internal.StreamWriter;
import dev.broadcasting.queue.redis.internal.WriteConnection;
import dev.broadcasting.redis.RedisBroadcastDriver;
import dev.broadcasting.resp.internal.RespEndpoint;
import dev.broadcasting.resp.internal.RespError;
import dev.broadcasting.resp.internal.RespLink;
import dev.broadcasting.resp.internal.RespReader;
import dev.broadcasting.resp.internal.RespWriter;
import dev.broadcasting.spi.BroadcastMessage;
import io.lettuce.core.RedisURI;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The ceiling of the durable queue's contract on this machine (issue #17): {@code broadcast()}
 * returns only once its event is written to a Redis stream, so each producer thread waits for at
 * least one round trip per event. In one run, rounds in turns, medians printed:
 *
 * <ul>
 *   <li>(a) the in-memory queue as {@link DurableQueueBenchmark} measures it (redis driver, 4
 *       producers, 64 channels), and (e) the durable queue in the same way;
 *   <li>(b1) N threads, each on its own socket, one blocking pre-formatted {@code XADD} per event,
 *       the entry the queue writes: the cheapest durable write, no worker, no delivery;
 *   <li>(b2) the same N threads group-committing: whoever finds no write on its way sends every
 *       waiting {@code XADD} in one pipelined write, reads the answers and wakes their threads;
 *   <li>(b3) the queue's own write alone ({@link StreamWriter}: the same group commit, through its
 *       enqueue script), no worker;
 *   <li>(c) {@code redis-benchmark -c N -P 1} of the same {@code XADD}, natively, as a cross-check.
 * </ul>
 *
 * <p>N is 4, 16 and 64. CPU per event: this JVM's, plus the redis-servers', from {@code /proc}; for
 * (c) the "JVM" figure is redis-benchmark's own CPU (user and system, from bash's {@code times}). The goal needs (e) at 50 % of (a); when (b) stays below that, no
 * implementation of the contract meets it with 4 producers on this machine.
 *
 * <pre>{@code java -cp benchmarks/target/benchmarks.jar dev.broadcasting.benchmarks.DurableWriteCeiling [events] [rounds]}</pre>
 */
public final class DurableWriteCeiling {
  private static final int PARTITIONS = 8;
  private static final int[] THREADS = {4, 16, 64};
  private static final com.sun.management.OperatingSystemMXBean OS =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
  private static final Pattern RATE = Pattern.compile("([0-9.]+) requests per second");
  private static final Pattern TIMES = Pattern.compile("(\\d+)m([0-9.]+)s (\\d+)m([0-9.]+)s");

  private DurableWriteCeiling() {}

  /** The queue's stream entry of one {@code OrderShipped}: its message id and its encoded value. */
  record Entry(String id, String value) {}

  public static void main(String[] args) throws Exception {
    int events = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    Map<Integer, ExecutorService> pools = new LinkedHashMap<>();
    for (int n : THREADS) {
      pools.put(n, pool(n));
    }
    Entry[] entries = entries();
    try (RedisProcess queueRedis = RedisProcess.start(); RedisProcess deliveryRedis = RedisProcess.start();
        RedisProcess ceilingRedis = RedisProcess.start()) {
      System.out.printf(Locale.ROOT, "%d events a round, %d rounds after a warm-up round, %d processors, "
          + "entry of %d bytes, load before %s%n", events, rounds, Runtime.getRuntime().availableProcessors(),
          entries[0].value().length(), RedisFloor.load());
      long[] queueServers = {queueRedis.pid(), deliveryRedis.pid()};
      long[] ceilingServer = {ceilingRedis.pid()};
      RedisStreamQueue queue = RedisStreamQueue.builder().uri("redis://127.0.0.1:" + queueRedis.port())
          .prefix("ceiling:queue").build();
      Map<String, List<DurableQueueBenchmark.Figures>> figures = new LinkedHashMap<>();
      Map<String, String> lastThreads = new LinkedHashMap<>();
      Map<String, String> lastCommands = new LinkedHashMap<>();
      try (Broadcaster memory = Broadcaster.builder().connection("main", driver(deliveryRedis))
              .blockWhenFull(Duration.ofMinutes(1)).build();
          Broadcaster durable = Broadcaster.builder().connection("main", driver(deliveryRedis)).queue(queue).build();
          RespLink control = link(ceilingRedis.port())) {
        for (int round = 0; round <= rounds; round++) {
          boolean warmUp = round == 0;
          record(figures, warmUp, "(a) in-memory queue, 4 producers",
              DurableQueueBenchmark.round(memory, events, queueServers, pools.get(4), 4));
          ThreadCosts before = ThreadCosts.now();
          record(figures, warmUp, "(e) durable queue, 4 producers",
              DurableQueueBenchmark.round(durable, events, queueServers, pools.get(4), 4));
          lastThreads.put("(e) durable queue, 4 producers", ThreadCosts.now().minus(before).perEvent(events));
          for (int n : THREADS) {
            for (Ceiling ceiling : Ceiling.values()) {
              String name = ceiling.label(n);
              control.call("FLUSHALL");
              control.call("CONFIG", "RESETSTAT");
              before = ThreadCosts.now();
              record(figures, warmUp, name, ceiling.run(ceilingRedis, pools.get(n), n, events, entries));
              if (ceiling != Ceiling.REDIS_BENCHMARK) {
                lastThreads.put(name, ThreadCosts.now().minus(before).perEvent(events));
              }
              lastCommands.put(name, commandTimes((String) control.call("INFO", "commandstats"), events));
            }
          }
        }
      }
      System.out.printf(Locale.ROOT, "load after %s%n%nmedians of %d rounds:%n", RedisFloor.load(), rounds);
      double inMemory = DurableQueueBenchmark.median(figures.get("(a) in-memory queue, 4 producers")).eventsPerSecond();
      figures.forEach((name, all) -> {
        DurableQueueBenchmark.Figures m = DurableQueueBenchmark.median(all);
        System.out.printf(Locale.ROOT, "%-52s %,9.0f events/s  %5.1f%% of (a)  CPU %5.1f us/event JVM, %5.1f with "
            + "servers  (rounds: %s)%n", name, m.eventsPerSecond(), 100 * m.eventsPerSecond() / inMemory,
            m.jvmCpuNanos() / 1e3, m.totalCpuNanos() / 1e3, rates(all));
      });
      double durable = DurableQueueBenchmark.median(figures.get("(e) durable queue, 4 producers")).eventsPerSecond();
      double ceiling = Math.max(DurableQueueBenchmark.median(figures.get(Ceiling.ROUND_TRIPS.label(4))).eventsPerSecond(),
          DurableQueueBenchmark.median(figures.get(Ceiling.GROUP_COMMIT.label(4))).eventsPerSecond());
      System.out.printf(Locale.ROOT, "%nwith 4 producer threads the contract allows at most %,.0f events/s here (the better "
          + "of b1 and b2): %.1f%% of the in-memory queue (goal 50%%); the durable queue reaches %.1f%% of that ceiling%n",
          ceiling, 100 * ceiling / inMemory, 100 * durable / ceiling);
      System.out.printf(Locale.ROOT, "%nthe last round, by thread, per event:%n");
      lastThreads.forEach((name, text) -> System.out.printf(Locale.ROOT, "%s%n%s", name, text));
      System.out.printf(Locale.ROOT, "%nthe last round, the ceiling redis-server's commands (calls and us per event):%n");
      lastCommands.forEach((name, text) -> System.out.printf(Locale.ROOT, "%-52s %s%n", name, text));
    } finally {
      pools.values().forEach(ExecutorService::shutdownNow);
    }
  }

  /** The ways of storing an event that the contract allows, cheapest first. */
  enum Ceiling {
    ROUND_TRIPS("(b1) XADD round trip per thread") {
      @Override
      DurableQueueBenchmark.Figures run(RedisProcess redis, ExecutorService pool, int threads, int events,
          Entry[] entries) throws Exception {
        byte[][] commands = xadds(entries);
        List<RespLink> links = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          links.add(link(redis.port()));
        }
        try {
          return timed(pool, threads, events, redis, (thread, i) -> {
            RespLink link = links.get(thread);
            link.output().write(commands[(thread + i * threads) % commands.length]);
            expect(replies(link).read());
          });
        } finally {
          links.forEach(RespLink::close);
        }
      }
    },
    GROUP_COMMIT("(b2) XADDs group-committed, pipelined") {
      @Override
      DurableQueueBenchmark.Figures run(RedisProcess redis, ExecutorService pool, int threads, int events,
          Entry[] entries) throws Exception {
        byte[][] commands = xadds(entries);
        try (GroupCommit commit = new GroupCommit(link(redis.port()))) {
          return timed(pool, threads, events, redis,
              (thread, i) -> commit.write(commands[(thread + i * threads) % commands.length]));
        }
      }
    },
    QUEUE_WRITER("(b3) the queue's StreamWriter alone") {
      @Override
      DurableQueueBenchmark.Figures run(RedisProcess redis, ExecutorService pool, int threads, int events,
          Entry[] entries) throws Exception {
        QueueSettings settings = new QueueSettings("ceiling:writer", PARTITIONS, 100_000, 100_000,
            Duration.ofSeconds(10), Duration.ofSeconds(5), 256, Duration.ofMillis(2), 1_000, Duration.ofSeconds(10),
            false, 100_000);
        try (StreamWriter writer = new StreamWriter(settings, new WriteConnection(
            RedisURI.create("redis://127.0.0.1:" + redis.port()), null, Duration.ofSeconds(10)))) {
          return timed(pool, threads, events, redis, (thread, i) -> {
            int at = (thread + i * threads) % entries.length;
            if (!writer.stored(writer.write(at % PARTITIONS, entries[at].id(), entries[at].value()))) {
              throw new IOException("a partition refused an entry");
            }
          });
        }
      }
    },
    REDIS_BENCHMARK("(c) redis-benchmark -P 1 XADD") {
      @Override
      DurableQueueBenchmark.Figures run(RedisProcess redis, ExecutorService pool, int threads, int events,
          Entry[] entries) throws Exception {
        long serverTicks = RedisFloor.ticks(redis.pid());
        Process process = new ProcessBuilder("bash", "-c", "redis-benchmark \"$@\" </dev/null; times", "bash",
            "-h", "127.0.0.1", "-p", Integer.toString(redis.port()), "-c", Integer.toString(threads), "-P", "1",
            "-n", Integer.toString(events), "-r", Integer.toString(PARTITIONS), "-q",
            "XADD", "ceiling:rb:__rand_int__", "*", "id", entries[0].id(), "entry", entries[0].value())
            .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (process.waitFor() != 0) {
          throw new IOException("redis-benchmark failed: " + output);
        }
        Matcher rate = RATE.matcher(output);
        Matcher times = TIMES.matcher(output);
        if (!rate.find() || !times.find() || !times.find()) {
          throw new IOException("unexpected redis-benchmark output: " + output);
        }
        double clientNanos = (Integer.parseInt(times.group(1)) * 60 + Double.parseDouble(times.group(2))
            + Integer.parseInt(times.group(3)) * 60 + Double.parseDouble(times.group(4))) * 1e9;
        double serverNanos = (RedisFloor.ticks(redis.pid()) - serverTicks) * 1e7;
        return new DurableQueueBenchmark.Figures(Double.parseDouble(rate.group(1)), clientNanos / events,
            (clientNanos + serverNanos) / events, 0);
      }
    };

    private final String label;

    Ceiling(String label) {
      this.label = label;
    }

    String label(int threads) {
      return label + ", " + threads + (this == REDIS_BENCHMARK ? " clients" : " threads");
    }

    abstract DurableQueueBenchmark.Figures run(RedisProcess redis, ExecutorService pool, int threads, int events,
        Entry[] entries) throws Exception;
  }

  /** One event's durable write on thread {@code thread} (0 to N - 1), its {@code i}th. */
  interface Write {
    void store(int thread, int i) throws Exception;
  }

  /** {@code events} writes spread over {@code threads} threads of {@code pool}; CPU of this JVM and {@code redis}. */
  private static DurableQueueBenchmark.Figures timed(ExecutorService pool, int threads, int events, RedisProcess redis,
      Write write) throws Exception {
    long serverTicks = RedisFloor.ticks(redis.pid());
    long jvmCpu = OS.getProcessCpuTime();
    long start = System.nanoTime();
    List<CompletableFuture<Void>> running = new ArrayList<>();
    int each = events / threads;
    for (int t = 0; t < threads; t++) {
      int thread = t;
      running.add(CompletableFuture.runAsync(() -> {
        try {
          for (int i = 0; i < each; i++) {
            write.store(thread, i);
          }
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }, pool));
    }
    CompletableFuture.allOf(running.toArray(CompletableFuture[]::new)).get();
    long wall = System.nanoTime() - start;
    double jvm = OS.getProcessCpuTime() - jvmCpu;
    double server = (RedisFloor.ticks(redis.pid()) - serverTicks) * 1e7;
    int sent = each * threads;
    return new DurableQueueBenchmark.Figures(sent * 1e9 / wall, jvm / sent, (jvm + server) / sent, 0);
  }

  /**
   * The group commit at its cheapest: a thread queues its pre-formatted command; the thread that
   * finds no write on its way sends every waiting command (up to 512) in one socket write, reads
   * their answers in order and wakes their threads, then wakes the oldest waiting thread to lead next.
   */
  static final class GroupCommit implements AutoCloseable {
    private static final int MAX_BATCH = 512;

    private static final class Slot {
      final byte[] command;
      final Thread thread = Thread.currentThread();
      volatile Object answer;

      Slot(byte[] command) {
        this.command = command;
      }
    }

    private final RespLink link;
    private final RespReader replies;
    private final ConcurrentLinkedQueue<Slot> waiting = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean leading = new AtomicBoolean();
    private final RespWriter batch = new RespWriter(64 * 1024);

    GroupCommit(RespLink link) {
      this.link = link;
      this.replies = new RespReader(link.input(), 64 * 1024, RespError::new);
    }

    /** Sends {@code command} (RESP) in the next group commit and returns its answer. */
    Object write(byte[] command) throws IOException {
      Slot slot = new Slot(command);
      waiting.add(slot);
      while (slot.answer == null) {
        if (leading.compareAndSet(false, true)) {
          try {
            if (slot.answer == null) {
              lead();
            }
          } finally {
            leading.set(false);
            Slot next = waiting.peek();
            if (next != null) {
              LockSupport.unpark(next.thread);
            }
          }
        } else {
          LockSupport.park(this);
        }
      }
      return expect(slot.answer);
    }

    private void lead() throws IOException {
      List<Slot> sending = new ArrayList<>();
      Slot next;
      batch.reset();
      while (sending.size() < MAX_BATCH && (next = waiting.poll()) != null) {
        sending.add(next);
        batch.raw(next.command);
      }
      OutputStream out = link.output();
      batch.writeTo(out);
      out.flush();
      for (Slot slot : sending) {
        slot.answer = replies.read();
        if (slot.thread != Thread.currentThread()) {
          LockSupport.unpark(slot.thread);
        }
      }
    }

    @Override
    public void close() {
      link.close();
    }
  }

  /** Each entry as one {@code XADD} to its partition, in RESP, as the cheapest writer would send it. */
  private static byte[][] xadds(Entry[] entries) {
    byte[][] commands = new byte[entries.length][];
    RespWriter writer = new RespWriter(1024);
    for (int i = 0; i < entries.length; i++) {
      writer.reset();
      writer.command("XADD", "ceiling:p" + i % PARTITIONS, "*", "id", entries[i].id(), "entry",
          entries[i].value());
      commands[i] = writer.toByteArray();
    }
    return commands;
  }

  /** The entries the queue writes for {@code OrderShipped} on the 64 channels of the benchmark. */
  private static Entry[] entries() {
    Entry[] entries = new Entry[64];
    for (int i = 0; i < entries.length; i++) {
      OrderShipped event = OrderShipped.sample(i);
      String payload = String.format(Locale.ROOT, "{\"orderId\":%d,\"carrier\":\"%s\",\"trackingCode\":\"%s\","
          + "\"parcels\":%d,\"weightKg\":%s}", event.orderId(), event.carrier(), event.trackingCode(), event.parcels(),
          event.weightKg());
      BroadcastMessage message = BroadcastMessage.of(OrderShipped.class.getName(), event.broadcastOn(), payload);
      entries[i] = new Entry(message.id(),
          new StreamEntry("main", message, RetryPolicy.defaults(), "producer-1").encoded());
    }
    return entries;
  }

  private static RedisBroadcastDriver driver(RedisProcess delivery) {
    return RedisBroadcastDriver.builder().uri("redis://127.0.0.1:" + delivery.port()).build();
  }

  private static RespLink link(int port) throws IOException {
    return new RespEndpoint(RedisURI.create("redis://127.0.0.1:" + port), null, Duration.ofSeconds(10)).open();
  }

  /** One reader per link, made on first use; each link is read by one thread at a time. */
  private static final Map<RespLink, RespReader> READERS = new java.util.concurrent.ConcurrentHashMap<>();

  private static RespReader replies(RespLink link) {
    return READERS.computeIfAbsent(link, l -> new RespReader(l.input(), 8192, RespError::new));
  }

  private static ExecutorService pool(int threads) {
    AtomicInteger named = new AtomicInteger();
    return Executors.newFixedThreadPool(threads, task -> {
      Thread thread = new Thread(task, "ceiling-" + threads + "-" + named.getAndIncrement());
      thread.setDaemon(true);
      return thread;
    });
  }

  private static void record(Map<String, List<DurableQueueBenchmark.Figures>> figures, boolean warmUp, String name,
      DurableQueueBenchmark.Figures round) {
    System.out.printf(Locale.ROOT, "%s%-52s %,9.0f events/s, CPU %5.1f us/event JVM, %5.1f with servers%n",
        warmUp ? "warm-up " : "", name, round.eventsPerSecond(), round.jvmCpuNanos() / 1e3, round.totalCpuNanos() / 1e3);
    if (!warmUp) {
      figures.computeIfAbsent(name, n -> new ArrayList<>()).add(round);
    }
  }

  private static String rates(List<DurableQueueBenchmark.Figures> all) {
    StringBuilder text = new StringBuilder();
    all.forEach(f -> text.append(text.length() == 0 ? "" : " ").append(String.format(Locale.ROOT, "%,.0f",
        f.eventsPerSecond())));
    return text.toString();
  }

  /** Each command's calls and own time per event, from {@code INFO commandstats}, config and info left out. */
  private static String commandTimes(String stats, int events) {
    StringBuilder text = new StringBuilder();
    for (String line : stats.split("\r\n")) {
      if (line.startsWith("cmdstat_") && !line.startsWith("cmdstat_config") && !line.startsWith("cmdstat_info")
          && !line.startsWith("cmdstat_flushall")) {
        String name = line.substring(8, line.indexOf(':'));
        long calls = 0;
        long usec = 0;
        for (String field : line.substring(line.indexOf(':') + 1).split(",")) {
          if (field.startsWith("calls=")) {
            calls = Long.parseLong(field.substring(6));
          } else if (field.startsWith("usec=")) {
            usec = Long.parseLong(field.substring(5));
          }
        }
        text.append(String.format(Locale.ROOT, "%s %.3f (%.2f us) ", name, (double) calls / events,
            (double) usec / events));
      }
    }
    return text.toString().trim();
  }

  private static Object expect(Object answer) throws IOException {
    if (answer instanceof RespError error) {
      throw new IOException("redis answered " + error.message());
    }
    return answer;
  }
}
