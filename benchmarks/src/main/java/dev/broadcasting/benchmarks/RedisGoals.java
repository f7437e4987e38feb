package dev.broadcasting.benchmarks;

import dev.broadcasting.Broadcaster;
import dev.broadcasting.redis.RedisBroadcastDriver;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The redis goals of #15 against one {@code redis-server}: queued {@code broadcast()} on 1 and on
 * 10 channels next to {@code redis-benchmark PUBLISH -c 8 -P 16} of the driver's exact bytes
 * (at least 60 %), and the p99 of {@code broadcastNow} next to raw lettuce's synchronous
 * {@code PUBLISH} of the same bytes (at most 1.1×).
 *
 * <pre>{@code List<GoalRow> rows = new RedisGoals(goals).measure();}</pre>
 *
 * <p>Alone, to profile these rows without the others:
 * {@code java -XX:StartFlightRecording=filename=redis.jfr,settings=profile -cp benchmarks.jar
 * dev.broadcasting.benchmarks.RedisGoals [--short] [--latency | --queued] [--lettuce]}, then
 * {@code benchmarks/jfr-top.sh redis.jfr}. The driver publishes on its own socket, its default;
 * {@code --lettuce} measures it through lettuce instead ({@code publishSocket(false)}).
 */
final class RedisGoals {
  private static final int CLIENTS = 8;
  private static final int PIPELINE = 16;
  /** Latency samples are taken in blocks that alternate between us and raw lettuce. */
  private static final int BLOCK = 500;
  private static final int PEER_REQUESTS_FACTOR = 5;
  private static final int WARM_UP_ROUNDS = 5;

  private final Goals goals;
  /** Run alone ({@code --latency} or {@code --queued}), to profile one kind of row. */
  private boolean latencyOnly;
  private boolean queuedOnly;
  private boolean publishSocket = true;

  RedisGoals(Goals goals) {
    this.goals = goals;
  }

  public static void main(String[] args) throws Exception {
    Goals goals = new Goals(List.of(args).contains("--short") ? Goals.Sizes.SHORT : Goals.Sizes.FULL, System.out);
    RedisGoals redis = new RedisGoals(goals);
    redis.latencyOnly = List.of(args).contains("--latency");
    redis.queuedOnly = List.of(args).contains("--queued");
    redis.publishSocket = !List.of(args).contains("--lettuce");
    for (GoalRow row : redis.measure()) {
      System.out.println(row);
    }
  }

  List<GoalRow> measure() throws Exception {
    if (!RedisProcess.onPath()) {
      goals.log().println("redis: redis-server or redis-benchmark is not on the PATH, redis goals not measured");
      return List.of(new GoalRow("redis goals", "redis-server / redis-benchmark not on the PATH", "–", Double.NaN,
          GoalRow.Verdict.NOT_AVAILABLE));
    }
    List<GoalRow> rows = new ArrayList<>();
    try (RedisProcess redis = RedisProcess.start()) {
      String port = Integer.toString(redis.port());
      String uri = "redis://127.0.0.1:" + port;
      goals.log().println("redis: server on port " + port + ", " + RedisComparison.version("redis-server"));
      String body = new String(RedisBenchmark.wireBody("OrderShipped", Payloads.json(GoalEvent.PAYLOAD_BYTES)),
          StandardCharsets.UTF_8);
      goals.log().println("redis: wire body " + body.length() + " bytes, the same for redis-benchmark");
      try (Broadcaster broadcaster = Broadcaster.builder()
          .connection("redis", RedisBroadcastDriver.builder().uri(uri).publishSocket(publishSocket).build())
          .blockWhenFull(Duration.ofMinutes(1)).build()) {
        checkWireBody(uri, broadcaster, body);
        if (!latencyOnly) {
          warmUp(broadcaster);
        }
        for (int channels : latencyOnly ? new int[0] : new int[] {1, 10}) {
          rows.add(queued(broadcaster, port, body, channels));
        }
        if (!queuedOnly) {
          rows.add(latency(broadcaster, uri));
        }
      }
    }
    return rows;
  }

  /** The peer must publish what the driver publishes, byte for byte, or the comparison means nothing. */
  private void checkWireBody(String uri, Broadcaster broadcaster, String body) throws Exception {
    RedisClient client = RedisClient.create(uri);
    try (var subscription = client.connectPubSub()) {
      java.util.concurrent.BlockingQueue<String> received = new java.util.concurrent.LinkedBlockingQueue<>();
      subscription.addListener(new io.lettuce.core.pubsub.RedisPubSubAdapter<>() {
        @Override
        public void message(String channel, String message) {
          received.add(message);
        }
      });
      subscription.sync().subscribe(GoalEvent.channelName(0));
      broadcaster.broadcast(new GoalEvent(0)).join();
      String published = received.poll(10, java.util.concurrent.TimeUnit.SECONDS);
      if (!body.equals(published)) {
        throw new IllegalStateException("the driver published " + published + " but redis-benchmark would send " + body);
      }
    } finally {
      client.shutdown();
    }
  }

  /**
   * {@value #WARM_UP_ROUNDS} unmeasured rounds of ours on both channel counts before either row is
   * measured, as the pusher rows have: without them the 1-channel row, measured first, paid the
   * JIT's warm-up of both rows (in {@code RedisThreadSplit} the socket's first 200,000-event round on 1
   * channel ran at 277,000 events/s and its fourth at 607,000). redis-benchmark, a native program,
   * has no such warm-up. Five, not three: with three, the 1-channel row's first measured rounds
   * still spent 2.2-2.7 µs of JVM CPU per event and its later ones 1.7-1.8 (19:17-19:18 UTC,
   * {@code results/redis-queued-*}), the compiler threads' share falling round by round.
   */
  private void warmUp(Broadcaster broadcaster) throws Exception {
    int count = goals.sizes().redisEvents();
    for (int round = 0; round < WARM_UP_ROUNDS; round++) {
      for (int channels : new int[] {1, 10}) {
        goals.log().println("  warm-up, unmeasured: " + ours(broadcaster, channels, count).describe());
      }
    }
  }

  /** One round of ours: {@code count} queued broadcasts over {@code channels} channels, until all delivered. */
  private Round ours(Broadcaster broadcaster, int channels, int count) throws Exception {
    GoalEvent[] events = new GoalEvent[channels];
    Arrays.setAll(events, GoalEvent::new);
    return Round.run("ours queued, " + channels + " channel(s)", count, 0, goals.sizes().limit(),
        i -> broadcaster.broadcast(events[i % channels]));
  }

  private GoalRow queued(Broadcaster broadcaster, String port, String body, int channels) throws Exception {
    goals.log().println("redis queued, " + channels + " channel(s)");
    int count = goals.sizes().redisEvents();
    // -r 10 replaces __rand_int__ with 000000000000..000000000009: ten channels, the same message
    List<String> options = channels == 1 ? List.of() : List.of("-r", Integer.toString(channels));
    String channel = channels == 1 ? GoalEvent.channelName(0) : "private-orders.__rand_int__";
    Round[][] pair = goals.sideBySide(
        () -> ours(broadcaster, channels, count),
        () -> {
          // redis-benchmark is that much faster: more requests, so that its run lasts long enough to time
          int requests = count * PEER_REQUESTS_FACTOR;
          double rate = RedisComparison.redisBenchmarkOnce(port, requests, CLIENTS, PIPELINE, options,
              List.of("PUBLISH", channel, body));
          // redis-benchmark runs in its own process: its CPU is not the JVM's, so none is given
          return new Round("redis-benchmark PUBLISH -c 8 -P 16", requests, requests, 0,
              (long) (requests * 1e9 / rate), 0);
        });
    return GoalRow.atLeast("redis queued, " + channels + " channel" + (channels == 1 ? "" : "s")
        + ": ≥ 60 % of `redis-benchmark PUBLISH -c 8 -P 16`", Goals.medianRate(pair[0]), Goals.medianRate(pair[1]), 0.6,
        "events/s");
  }

  private GoalRow latency(Broadcaster broadcaster, String uri) {
    goals.log().println("redis broadcastNow latency, one at a time");
    RedisClient client = RedisClient.create(uri);
    try (StatefulRedisConnection<byte[], byte[]> raw = client.connect(ByteArrayCodec.INSTANCE)) {
      byte[] channel = GoalEvent.channelName(42).getBytes(StandardCharsets.UTF_8);
      byte[] nowBody = RedisBenchmark.nowWireBody();
      OrderShipped.Now now = OrderShipped.Now.sample();
      Runnable ours = () -> broadcaster.broadcast(now).join();
      Runnable peer = () -> raw.sync().publish(channel, nowBody);
      int samples = goals.sizes().latencySamples();
      sample(ours, samples / 4);
      sample(peer, samples / 4);
      long[] mine = new long[samples];
      long[] theirs = new long[samples];
      for (int from = 0; from < samples; from += BLOCK) {
        int to = Math.min(samples, from + BLOCK);
        System.arraycopy(sample(ours, to - from), 0, mine, from, to - from);
        System.arraycopy(sample(peer, to - from), 0, theirs, from, to - from);
      }
      double p99 = percentile(mine, 99);
      double rawP99 = percentile(theirs, 99);
      goals.log().printf(java.util.Locale.ROOT, "  broadcastNow: p50 %.1f us, p99 %.1f us (n=%d)%n",
          percentile(mine, 50), p99, samples);
      goals.log().printf(java.util.Locale.ROOT, "  lettuce sync PUBLISH: p50 %.1f us, p99 %.1f us (n=%d)%n",
          percentile(theirs, 50), rawP99, samples);
      return GoalRow.atMost("redis `broadcastNow` p99: ≤ 1.1× raw lettuce sync `PUBLISH`", p99, rawP99, 1.1, "µs");
    } finally {
      client.shutdown();
    }
  }

  private static long[] sample(Runnable call, int count) {
    long[] nanos = new long[count];
    for (int i = 0; i < count; i++) {
      long start = System.nanoTime();
      call.run();
      nanos[i] = System.nanoTime() - start;
    }
    return nanos;
  }

  /** The {@code p}th percentile in microseconds, nearest rank. */
  static double percentile(long[] nanos, double p) {
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    int rank = (int) Math.ceil(p / 100 * sorted.length) - 1;
    return sorted[Math.max(0, rank)] / 1e3;
  }
}
