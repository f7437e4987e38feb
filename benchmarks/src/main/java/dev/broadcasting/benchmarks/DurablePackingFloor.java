package dev.broadcasting.benchmarks;

import dev.broadcasting.Channel;
import dev.broadcasting.RetryPolicy;
import dev.broadcasting.queue.redis.internal.StreamEntry;
import dev.broadcasting.resp.internal.RespEndpoint;
import dev.broadcasting.resp.internal.RespError;
import dev.broadcasting.resp.internal.RespLink;
import dev.broadcasting.spi.BroadcastMessage;
import io.lettuce.core.RedisURI;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the durable queue's own redis-server spends per event when several events share one stream
 * entry (issue #17's next design, {@code broadcasting-queue-redis/PACKED-ENTRIES.md}): no queue
 * code, raw RESP on one blocking socket, the full server-side cycle of an event: the write script
 * (a group commit: {@code XADD}s after a length check), {@code XREADGROUP COUNT 100} over the 8
 * partitions, and the acknowledgement script ({@code XACK} + {@code XDEL}). Each cycle writes 100
 * entries over the partitions, reads them in one call and acknowledges them in one, as the queue
 * does at ~100 entries a read and ~12 a partition an acknowledgement.
 *
 * <p>Three formats. Today's ({@link Format#TODAY}): one entry per event, fields {@code id} and
 * {@code entry}, refused at {@code XLEN >= maxLength}. Packed ({@link Format#EVENTS}): fields
 * {@code v}, {@code ids} (the message ids, space-joined) and {@code events} (each event's
 * {@code entry} value, length-prefixed), {@code maxLength} counted in events on a counter per
 * partition, which the write script raises and the acknowledgement lowers; and packed with
 * {@code maxLength} counted in entries ({@link Format#ENTRIES}). The scripts have the shape of the
 * queue's {@code ENQUEUE} and {@code ACK} (without outcomes). For each shape: redis-server's CPU per
 * event (utime + stime from {@code /proc}, round trips included), each command's own time per event
 * ({@code INFO commandstats}),
 * and the projection of durable events/s on this machine (see {@link #project}).
 * A measurement only: one client, no leases, no failures, no outcomes.
 *
 * <pre>{@code java -cp benchmarks.jar dev.broadcasting.benchmarks.DurablePackingFloor [events] [rounds]}</pre>
 */
public final class DurablePackingFloor {
  private static final int PARTITIONS = 8;
  private static final int ENTRIES_PER_CYCLE = 100;
  private static final String MAX_LENGTH = "100000";
  /**
   * Today's durable event, JVM and both redis-servers, and its queue redis-server's part (the run
   * of 2026-11-30 16:31, broadcasting-queue-redis/README.md "Measured": 30.0 µs, ~9.4 µs of it the
   * queue's Redis): what the projection replaces by the floor's figures.
   */
  private static final double TODAY_TOTAL_US = 30.0;
  /** Of today's JVM part, what is paid per entry read and acknowledged: the worker 1.2, lettuce's acknowledgements 3.4. */
  private static final double TODAY_JVM_PER_ENTRY_US = 4.6;
  private static final double TODAY_QUEUE_REDIS_US = 9.4;

  static final String ENQUEUE_TODAY = "local max = tonumber(ARGV[1])\nlocal lengths = {}\nlocal stored = {}\n"
      + "for i = 2, #ARGV, 3 do\n"
      + "  local key = KEYS[tonumber(ARGV[i])]\n"
      + "  local length = lengths[key] or redis.call('XLEN', key)\n"
      + "  if length < max then\n"
      + "    redis.call('XADD', key, '*', 'id', ARGV[i + 1], 'entry', ARGV[i + 2])\n"
      + "    length = length + 1\n    stored[#stored + 1] = 1\n"
      + "  else\n    stored[#stored + 1] = 0\n  end\n"
      + "  lengths[key] = length\nend\nreturn stored";
  /** KEYS: per partition its stream, then its event counter. ARGV: max events, then per entry: partition, events, ids, events' values. */
  static final String ENQUEUE_PACKED = "local max = tonumber(ARGV[1])\nlocal counts = {}\nlocal stored = {}\n"
      + "for i = 2, #ARGV, 4 do\n"
      + "  local p = tonumber(ARGV[i])\n"
      + "  local count = counts[p] or tonumber(redis.call('GET', KEYS[2 * p]) or '0')\n"
      + "  local n = tonumber(ARGV[i + 1])\n"
      + "  if count + n <= max then\n"
      + "    redis.call('XADD', KEYS[2 * p - 1], '*', 'v', '2', 'ids', ARGV[i + 2], 'events', ARGV[i + 3])\n"
      + "    count = count + n\n    stored[#stored + 1] = 1\n"
      + "  else\n    stored[#stored + 1] = 0\n  end\n"
      + "  counts[p] = count\nend\n"
      + "for p, count in pairs(counts) do redis.call('SET', KEYS[2 * p], count) end\nreturn stored";
  /** KEYS: streams. ARGV: max entries, then per entry: stream, events, ids, events' values. */
  static final String ENQUEUE_PACKED_XLEN = "local max = tonumber(ARGV[1])\nlocal lengths = {}\nlocal stored = {}\n"
      + "for i = 2, #ARGV, 4 do\n"
      + "  local key = KEYS[tonumber(ARGV[i])]\n"
      + "  local length = lengths[key] or redis.call('XLEN', key)\n"
      + "  if length < max then\n"
      + "    redis.call('XADD', key, '*', 'v', '2', 'ids', ARGV[i + 2], 'events', ARGV[i + 3])\n"
      + "    length = length + 1\n    stored[#stored + 1] = 1\n"
      + "  else\n    stored[#stored + 1] = 0\n  end\n"
      + "  lengths[key] = length\nend\nreturn stored";
  /** KEYS: streams. ARGV: group, then per stream the number of ids and the ids. As the queue's ACK without outcomes. */
  static final String ACK_TODAY = "local at = 2\nlocal acked = 0\n"
      + "for k = 1, #KEYS do\n  local count = tonumber(ARGV[at])\n"
      + "  acked = acked + redis.call('XACK', KEYS[k], ARGV[1], unpack(ARGV, at + 1, at + count))\n"
      + "  redis.call('XDEL', KEYS[k], unpack(ARGV, at + 1, at + count))\n"
      + "  at = at + count + 1\nend\nreturn acked";
  /** KEYS: per stream the stream and its counter. ARGV: group, then per stream its events, the number of ids and the ids. */
  static final String ACK_PACKED = "local at = 2\nlocal acked = 0\n"
      + "for k = 1, #KEYS, 2 do\n  local count = tonumber(ARGV[at + 1])\n"
      + "  acked = acked + redis.call('XACK', KEYS[k], ARGV[1], unpack(ARGV, at + 2, at + 1 + count))\n"
      + "  redis.call('XDEL', KEYS[k], unpack(ARGV, at + 2, at + 1 + count))\n"
      + "  if redis.call('DECRBY', KEYS[k + 1], ARGV[at]) <= 0 and redis.call('XLEN', KEYS[k]) == 0 then\n"
      + "    redis.call('DEL', KEYS[k + 1])\n  end\n"
      + "  at = at + count + 2\nend\nreturn acked";

  /** How entries are written, read and acknowledged. */
  enum Format {
    /** One entry per event, refused at {@code XLEN >= maxLength}: as the queue writes today. */
    TODAY("today ", ENQUEUE_TODAY, ACK_TODAY),
    /** Packed, {@code maxLength} counted in events on a counter per partition. */
    EVENTS("packed", ENQUEUE_PACKED, ACK_PACKED),
    /** Packed, {@code maxLength} counted in entries ({@code XLEN}), as today. */
    ENTRIES("packed/xlen", ENQUEUE_PACKED_XLEN, ACK_TODAY);

    final String label;
    final String enqueue;
    final String ack;

    Format(String label, String enqueue, String ack) {
      this.label = label;
      this.enqueue = enqueue;
      this.ack = ack;
    }

    boolean packed() {
      return this != TODAY;
    }

    boolean counted() {
      return this == EVENTS;
    }
  }

  /** A shape: the format, events per entry, entries per write call. */
  record Shape(Format format, int perEntry, int perCall) {
    String name() {
      return String.format(Locale.ROOT, "%-11s %2d events/entry, %d entries/call", format.label, perEntry, perCall);
    }
  }

  private DurablePackingFloor() {}

  public static void main(String[] args) throws Exception {
    int events = args.length > 0 ? Integer.parseInt(args[0]) : 300_000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 2;
    List<Shape> shapes = new ArrayList<>(List.of(new Shape(Format.TODAY, 1, 3), new Shape(Format.TODAY, 1, 1)));
    for (Format format : List.of(Format.EVENTS, Format.ENTRIES)) {
      for (int perEntry : new int[] {1, 3, 10, 30}) {
        shapes.add(new Shape(format, perEntry, 1));
      }
      shapes.add(new Shape(format, 3, 3));
    }
    try (RedisProcess redis = RedisProcess.start();
        RespLink link = new RespEndpoint(RedisURI.create("redis://127.0.0.1:" + redis.port()), null,
            Duration.ofSeconds(10)).open()) {
      System.out.printf(Locale.ROOT, "redis-server pid %d, %d events a shape and round, %d rounds after a warm-up, "
          + "%d partitions, %d entries a cycle, load %s%n", redis.pid(), events, rounds, PARTITIONS,
          ENTRIES_PER_CYCLE, RedisFloor.load());
      Map<String, String> shas = new LinkedHashMap<>();
      for (String script : List.of(ENQUEUE_TODAY, ENQUEUE_PACKED, ENQUEUE_PACKED_XLEN, ACK_TODAY, ACK_PACKED)) {
        shas.put(script, (String) expect(link.call("SCRIPT", "LOAD", script)));
      }
      for (int p = 1; p <= PARTITIONS; p++) {
        expect(link.call("XGROUP", "CREATE", stream(p), "workers", "$", "MKSTREAM"));
      }
      String[] oneEvent = eventValues(30);
      for (int round = 0; round <= rounds; round++) {
        for (Shape shape : shapes) {
          run(link, redis.pid(), shas, shape, round == 0 ? events / 5 : events, oneEvent, round == 0);
        }
      }
      System.out.printf(Locale.ROOT, "load after: %s%n", RedisFloor.load());
    }
  }

  /** The {@code entry} values of {@code count} events as the queue writes them: 200-byte payloads, 64 channels. */
  private static String[] eventValues(int count) {
    String[] values = new String[count];
    String payload = Payloads.json(GoalEvent.PAYLOAD_BYTES);
    for (int i = 0; i < count; i++) {
      BroadcastMessage message = BroadcastMessage.of("OrderShipped",
          List.of(Channel.of(GoalEvent.channelName(i % 64))), payload);
      values[i] = message.id() + "\n" + new StreamEntry("redis", message, RetryPolicy.defaults(), "producer-1")
          .encoded();
    }
    return values;
  }

  private static void run(RespLink link, long pid, Map<String, String> shas, Shape shape, int events,
      String[] values, boolean warmUp) throws IOException {
    expect(link.call("CONFIG", "RESETSTAT"));
    long ticks = RedisFloor.ticks(pid);
    long start = System.nanoTime();
    long sent = 0;
    long calls = 0;
    long entriesRead = 0;
    long reads = 0;
    int partition = 0;
    while (sent < events) {
      int entries = 0;
      while (entries < ENTRIES_PER_CYCLE && sent < events) {
        List<String> keys = new ArrayList<>();
        List<String> argv = new ArrayList<>(List.of(MAX_LENGTH));
        for (int e = 0; e < shape.perCall() && entries < ENTRIES_PER_CYCLE && sent < events; e++, entries++) {
          partition = partition % PARTITIONS + 1;
          int index = keys.indexOf(stream(partition));
          if (index < 0) {
            keys.add(stream(partition));
            if (shape.format().counted()) {
              keys.add(counter(partition));
            }
            index = keys.size() - (shape.format().counted() ? 2 : 1);
          }
          int n = (int) Math.min(shape.perEntry(), events - sent);
          if (shape.format().packed()) {
            argv.addAll(List.of(Integer.toString(shape.format().counted() ? index / 2 + 1 : index + 1), Integer.toString(n), ids(values, n),
                packed(values, n)));
          } else {
            String[] idAndEntry = values[(int) (sent % values.length)].split("\n", 2);
            argv.addAll(List.of(Integer.toString(index + 1), idAndEntry[0], idAndEntry[1]));
          }
          sent += n;
        }
        List<String> command = new ArrayList<>(List.of("EVALSHA",
            shas.get(shape.format().enqueue), Integer.toString(keys.size())));
        command.addAll(keys);
        command.addAll(argv);
        for (Object stored : (List<?>) expect(link.call(command.toArray(String[]::new)))) {
          if (!Long.valueOf(1).equals(stored)) {
            throw new IOException("an entry was refused: " + stored);
          }
        }
        calls++;
      }
      entriesRead += readAndAcknowledge(link, shas, shape);
      reads++;
    }
    double nanos = System.nanoTime() - start;
    double redisUs = (RedisFloor.ticks(pid) - ticks) * 10_000.0 / events; // 100 ticks a second
    String stats = (String) expect(link.call("INFO", "commandstats"));
    System.out.printf(Locale.ROOT, "%s%s: %,9.0f events/s (one client), queue redis-server %5.2f us CPU/event, "
        + "commands %s; %.3f write calls, %.3f reads of %.0f entries per event; projected %s%n",
        warmUp ? "warm-up " : "", shape.name(), events * 1e9 / nanos, redisUs, commandTimes(stats, events),
        (double) calls / events, (double) reads / events, (double) entriesRead / reads,
        warmUp ? "-" : project(redisUs, shape.perEntry()));
  }

  /** One XREADGROUP COUNT 100 over every partition, then one acknowledgement of all it read; returns the entries read. */
  private static int readAndAcknowledge(RespLink link, Map<String, String> shas, Shape shape) throws IOException {
    List<String> read = new ArrayList<>(List.of("XREADGROUP", "GROUP", "workers", "worker-1", "COUNT", "100",
        "STREAMS"));
    for (int p = 1; p <= PARTITIONS; p++) {
      read.add(stream(p));
    }
    for (int p = 1; p <= PARTITIONS; p++) {
      read.add(">");
    }
    Object answer = expect(link.call(read.toArray(String[]::new)));
    if (answer == null) {
      return 0;
    }
    List<String> keys = new ArrayList<>();
    List<String> argv = new ArrayList<>(List.of("workers"));
    int entries = 0;
    for (Object perStream : (List<?>) answer) {
      List<?> streamAndEntries = (List<?>) perStream;
      String key = (String) streamAndEntries.get(0);
      List<?> read1 = (List<?>) streamAndEntries.get(1);
      keys.add(key);
      if (shape.format().counted()) {
        keys.add(key + ":events");
        long events = 0;
        for (Object entry : read1) {
          events += ((String) fields(entry).get("ids")).split(" ").length;
        }
        argv.add(Long.toString(events));
      }
      argv.add(Integer.toString(read1.size()));
      for (Object entry : read1) {
        argv.add((String) ((List<?>) entry).get(0));
      }
      entries += read1.size();
    }
    List<String> command = new ArrayList<>(List.of("EVALSHA", shas.get(shape.format().ack),
        Integer.toString(keys.size())));
    command.addAll(keys);
    command.addAll(argv);
    long acked = (Long) expect(link.call(command.toArray(String[]::new)));
    if (acked != entries) {
      throw new IOException("acknowledged " + acked + " of " + entries + " entries");
    }
    return entries;
  }

  private static Map<Object, Object> fields(Object entry) {
    List<?> pairs = (List<?>) ((List<?>) entry).get(1);
    Map<Object, Object> fields = new LinkedHashMap<>();
    for (int i = 0; i < pairs.size(); i += 2) {
      fields.put(pairs.get(i), pairs.get(i + 1));
    }
    return fields;
  }

  private static String ids(String[] values, int n) {
    StringBuilder ids = new StringBuilder();
    for (int i = 0; i < n; i++) {
      ids.append(i == 0 ? "" : " ").append(values[i], 0, values[i].indexOf('\n'));
    }
    return ids.toString();
  }

  /** The packed {@code events} field: each event's {@code entry} value behind its length. */
  private static String packed(String[] values, int n) {
    StringBuilder packed = new StringBuilder();
    for (int i = 0; i < n; i++) {
      String entry = values[i].substring(values[i].indexOf('\n') + 1);
      packed.append(entry.length()).append(':').append(entry);
    }
    return packed.toString();
  }

  /**
   * Durable events/s on this machine's 2 cores: today's 30.0 µs with the queue's redis-server part
   * replaced by {@code redisUs}, the JVM unchanged ("JVM same"), then with the JVM's per-entry part
   * divided by the packing ("JVM per entry"); and the queue's redis-server alone (single-threaded:
   * one core at most).
   */
  static String project(double redisUs, int perEntry) {
    double rest = TODAY_TOTAL_US - TODAY_QUEUE_REDIS_US;
    double jvmPacked = rest - TODAY_JVM_PER_ENTRY_US + TODAY_JVM_PER_ENTRY_US / perEntry;
    return String.format(Locale.ROOT, "%,.0f events/s (JVM same, %.1f us), %,.0f (JVM per entry, %.1f us), "
        + "queue redis-server alone caps at %,.0f", 2e6 / (rest + redisUs), rest + redisUs,
        2e6 / (jvmPacked + redisUs), jvmPacked + redisUs, 1e6 / redisUs);
  }

  /** Each command's own time per event, from {@code INFO commandstats}. */
  private static String commandTimes(String stats, int events) {
    Map<String, Double> times = new TreeMap<>();
    for (String line : stats.split("\r\n")) {
      if (line.startsWith("cmdstat_")) {
        String name = line.substring(8, line.indexOf(':'));
        for (String field : line.substring(line.indexOf(':') + 1).split(",")) {
          if (field.startsWith("usec=") && !name.startsWith("config") && !name.startsWith("info")) {
            times.put(name, Double.parseDouble(field.substring(5)) / events);
          }
        }
      }
    }
    StringBuilder text = new StringBuilder();
    times.forEach((name, us) -> text.append(text.length() == 0 ? "" : " ").append(name).append(' ')
        .append(String.format(Locale.ROOT, "%.2f", us)));
    return text.toString();
  }

  private static String stream(int partition) {
    return "queue:p" + partition;
  }

  private static String counter(int partition) {
    return stream(partition) + ":events";
  }

  private static Object expect(Object answer) throws IOException {
    if (answer instanceof RespError error) {
      throw new IOException("redis answered " + error.message());
    }
    return answer;
  }
}
