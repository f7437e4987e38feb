package dev.broadcasting.benchmarks;

import dev.broadcasting.Broadcaster;
import dev.broadcasting.internal.PayloadSerializer;
import dev.broadcasting.redis.RedisBroadcastDriver;
import dev.broadcasting.redis.internal.RedisMessageFormat;
import dev.broadcasting.spi.BroadcastMessage;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * How much of the redis rows' gap is lettuce and core, and what {@code redis-server} itself needs
 * per {@code PUBLISH}: the queued broadcaster next to a floor that writes preformatted RESP
 * {@code PUBLISH} commands on one socket (pipelined, a thread reading the replies), fed by the same
 * events (the payload serialized and the body formatted per event, as the driver does) and, apart,
 * with the bytes made once; and {@code redis-benchmark -c 8 -P 16}. For each: events/s, the JVM's
 * CPU per event (or redis-benchmark's), and redis-server's CPU per event from {@code /proc}. The
 * broadcaster runs twice: through lettuce ({@code publishSocket(false)}), and on the driver's own
 * publish socket (its default).
 * A measurement only: the floor has no reconnect, AUTH, TLS, order fence or failure reporting.
 *
 * <pre>{@code java -cp benchmarks.jar dev.broadcasting.benchmarks.RedisFloor [events] [rounds]}</pre>
 */
public final class RedisFloor {
  private static final com.sun.management.OperatingSystemMXBean OS =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
  /** Commands written and not yet answered, at most: a bound, well above redis-benchmark's 8 x 16. */
  private static final int WINDOW = 4096;
  /** Commands per write, as redis-benchmark's -P 16. */
  private static final int PER_WRITE = 16;

  private RedisFloor() {}

  public static void main(String[] args) throws Exception {
    int events = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    try (RedisProcess redis = RedisProcess.start()) {
      String port = Integer.toString(redis.port());
      System.out.printf(Locale.ROOT, "redis-server pid %d port %s, %d events per round, %d rounds, load %s%n",
          redis.pid(), port, events, rounds, load());
      String body = new String(RedisBenchmark.wireBody("OrderShipped", Payloads.json(GoalEvent.PAYLOAD_BYTES)),
          StandardCharsets.UTF_8);
      try (Broadcaster broadcaster = Broadcaster.builder()
          .connection("redis", RedisBroadcastDriver.builder().uri("redis://127.0.0.1:" + port).publishSocket(false)
              .build())
          .blockWhenFull(Duration.ofMinutes(1)).build();
          Broadcaster onSocket = Broadcaster.builder()
              .connection("redis", RedisBroadcastDriver.builder().uri("redis://127.0.0.1:" + port)
                  .publishSocket(true).build())
              .blockWhenFull(Duration.ofMinutes(1)).build()) {
        for (int channels : new int[] {1, 10}) {
          GoalEvent[] goal = new GoalEvent[channels];
          java.util.Arrays.setAll(goal, GoalEvent::new);
          for (int round = 0; round <= rounds; round++) {
            String tag = round == 0 ? "warm-up " : "";
            measure(tag + "ours queued, " + channels + " ch", events, redis.pid(), () -> {
              queued(broadcaster, goal, events);
              return -1;
            });
            measure(tag + "ours queued on the socket, " + channels + " ch", events, redis.pid(), () -> {
              queued(onSocket, goal, events);
              return -1;
            });
            measure(tag + "floor from events, " + channels + " ch", events, redis.pid(),
                () -> floor(redis.port(), events, channels, true));
            measure(tag + "floor preformatted, " + channels + " ch", events, redis.pid(),
                () -> floor(redis.port(), events, channels, false));
            measure(tag + "redis-benchmark -c 8 -P 16, " + channels + " ch", events * 5, redis.pid(),
                () -> redisBenchmark(port, events * 5, channels, body));
          }
        }
      }
      System.out.printf(Locale.ROOT, "load after: %s%n", load());
    }
  }

  /** Broadcasts {@code events} of {@code goal} round-robin, queued, and waits until the queue is empty. */
  static void queued(Broadcaster broadcaster, GoalEvent[] goal, int events) {
    CompletableFuture<?> last = null;
    for (int i = 0; i < events; i++) {
      last = broadcaster.broadcast(goal[i % goal.length]);
    }
    last.join();
    while (broadcaster.queueDepth() > 0) {
      Thread.onSpinWait();
    }
  }

  private interface Side {
    /** Runs; returns the CPU it used outside this JVM in ns, or -1 when all of it was this JVM's. */
    long run() throws Exception;
  }

  private static void measure(String name, int events, long redisPid, Side side) throws Exception {
    long redisBefore = ticks(redisPid);
    long cpuBefore = OS.getProcessCpuTime();
    long start = System.nanoTime();
    long outside = side.run();
    long nanos = System.nanoTime() - start;
    long cpu = outside >= 0 ? outside : OS.getProcessCpuTime() - cpuBefore;
    long redisCpu = (ticks(redisPid) - redisBefore) * 10_000_000L; // 100 ticks a second
    System.out.printf(Locale.ROOT, "%-40s %,10.0f events/s  %6.2f us CPU/event (%s)  redis-server %5.2f us/event%n",
        name, events * 1e9 / nanos, cpu / 1e3 / events, outside >= 0 ? "redis-benchmark" : "JVM",
        redisCpu / 1e3 / events);
  }

  /**
   * PUBLISH of {@code events} GoalEvents round-robin over {@code channels}, on one connection:
   * with {@code perEvent}, each payload serialized and body formatted as the driver does, else
   * every command's bytes made once.
   */
  private static long floor(int port, int events, int channels, boolean perEvent) throws Exception {
    PayloadSerializer serializer = new PayloadSerializer(PayloadSerializer.defaultMapper());
    byte[][] heads = new byte[channels][];
    byte[][] made = new byte[channels][];
    for (int c = 0; c < channels; c++) {
      byte[] channel = GoalEvent.channelName(c).getBytes(StandardCharsets.UTF_8);
      heads[c] = ("*3\r\n$7\r\nPUBLISH\r\n$" + channel.length + "\r\n" + GoalEvent.channelName(c) + "\r\n")
          .getBytes(StandardCharsets.UTF_8);
      made[c] = command(heads[c], body(serializer, new GoalEvent(c)));
    }
    try (SocketChannel socket = SocketChannel.open(new InetSocketAddress("127.0.0.1", port))) {
      socket.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true);
      AtomicLong answered = new AtomicLong();
      Thread reader = new Thread(() -> readReplies(socket, events, answered), "floor-reader");
      reader.start();
      ByteBuffer out = ByteBuffer.allocateDirect(256 * 1024);
      int inBuffer = 0;
      for (int i = 0; i < events; i++) {
        while (i - answered.get() >= WINDOW) {
          LockSupport.parkNanos(10_000);
        }
        int c = i % channels;
        byte[] next = perEvent ? command(heads[c], body(serializer, new GoalEvent(c))) : made[c];
        if (out.remaining() < next.length) {
          write(socket, out);
          inBuffer = 0;
        }
        out.put(next);
        if (++inBuffer == PER_WRITE) {
          write(socket, out);
          inBuffer = 0;
        }
      }
      write(socket, out);
      reader.join();
      if (answered.get() != events) {
        throw new IOException("floor: " + answered.get() + " replies to " + events + " commands");
      }
    }
    return -1;
  }

  private static byte[] body(PayloadSerializer serializer, GoalEvent event) {
    String payload = serializer.serialize(event.broadcastWith(), GoalEvent.class);
    return RedisMessageFormat.body(BroadcastMessage.of(event.broadcastAs(), event.broadcastOn(), payload));
  }

  private static byte[] command(byte[] head, byte[] body) {
    byte[] length = ("$" + body.length + "\r\n").getBytes(StandardCharsets.US_ASCII);
    byte[] command = new byte[head.length + length.length + body.length + 2];
    System.arraycopy(head, 0, command, 0, head.length);
    System.arraycopy(length, 0, command, head.length, length.length);
    System.arraycopy(body, 0, command, head.length + length.length, body.length);
    command[command.length - 2] = '\r';
    command[command.length - 1] = '\n';
    return command;
  }

  private static void write(SocketChannel socket, ByteBuffer out) throws IOException {
    out.flip();
    while (out.hasRemaining()) {
      socket.write(out);
    }
    out.clear();
  }

  /** Counts the replies (each PUBLISH answers one line, {@code :<receivers>}); an error reply stops the run. */
  private static void readReplies(SocketChannel socket, int events, AtomicLong answered) {
    byte[] buffer = new byte[64 * 1024];
    boolean lineStart = true;
    try {
      InputStream in = Channels.newInputStream(socket);
      long count = 0;
      while (count < events) {
        int read = in.read(buffer);
        if (read < 0) {
          throw new IOException("redis closed the connection after " + count + " replies");
        }
        for (int i = 0; i < read; i++) {
          if (lineStart && buffer[i] == '-') {
            throw new IOException("error reply after " + count + " replies");
          }
          lineStart = buffer[i] == '\n';
          if (lineStart) {
            count++;
          }
        }
        answered.set(count);
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Runs redis-benchmark under /usr/bin/time; returns its own CPU time in ns. */
  private static long redisBenchmark(String port, int requests, int channels, String body) throws Exception {
    List<String> line = new ArrayList<>(List.of("/usr/bin/time", "-f", "cpu %U %S", "redis-benchmark", "-h",
        "127.0.0.1", "-p", port, "-n", Integer.toString(requests), "-c", "8", "-P", "16", "-q"));
    if (channels > 1) {
      line.addAll(List.of("-r", Integer.toString(channels)));
    }
    line.addAll(List.of("PUBLISH", channels == 1 ? GoalEvent.channelName(0) : "private-orders.__rand_int__", body));
    Process process = new ProcessBuilder(line).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (process.waitFor() != 0) {
      throw new IOException("redis-benchmark failed: " + output);
    }
    for (String text : output.split("\n")) {
      if (text.startsWith("cpu ")) {
        String[] times = text.split(" ");
        return (long) ((Double.parseDouble(times[1]) + Double.parseDouble(times[2])) * 1e9);
      }
    }
    throw new IOException("no CPU time from /usr/bin/time in: " + output);
  }

  /** utime + stime of a process, in clock ticks. */
  private static long ticks(long pid) throws IOException {
    String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
  }

  private static String load() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).trim();
    } catch (IOException e) {
      return "unknown";
    }
  }
}
