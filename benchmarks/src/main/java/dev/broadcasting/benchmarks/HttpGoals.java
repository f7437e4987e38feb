package dev.broadcasting.benchmarks;

import com.pusher.rest.PusherAsync;
import dev.broadcasting.Broadcaster;
import dev.broadcasting.ably.AblyBroadcastDriver;
import dev.broadcasting.pusher.PusherBroadcastDriver;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.function.UnaryOperator;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;

/**
 * The pusher and ably goals of #15, each against a loopback {@link HttpSink} shared with its peer:
 * pusher queued on 1 and 64 channels against the official async client with 256 in flight (at
 * least 3× its events/s at no more CPU per event); against a sink that answers after 20 ms, one
 * hot channel ordered (at least 400 events/s) and with ordering off (at least the official async
 * client); ably queued against raw OkHttp with one request per event (at least 3×).
 *
 * <pre>{@code List<GoalRow> rows = new HttpGoals(goals).measure();}</pre>
 */
final class HttpGoals {
  /** The official async client's concurrency in the measurement. */
  static final int OFFICIAL_IN_FLIGHT = 256;
  static final Duration NETWORK_LATENCY = Duration.ofMillis(20);
  static final int PUSHER_WARM_UP_ROUNDS = 3;
  private static final String ABLY_KEY = "appid.keyid:secretsecret";

  private final Goals goals;
  private final String data = Payloads.json(GoalEvent.PAYLOAD_BYTES);

  HttpGoals(Goals goals) {
    this.goals = goals;
  }

  /**
   * Only the two pusher queued rows (1 and 64 channels, side by side with the official client), for
   * measuring a change of the pusher driver without the other goals: {@code HttpGoals [--short]}.
   */
  public static void main(String[] args) throws Exception {
    Goals goals = new Goals(List.of(args).contains("--short") ? Goals.Sizes.SHORT : Goals.Sizes.FULL, System.out);
    HttpGoals http = new HttpGoals(goals);
    List<GoalRow> rows = new ArrayList<>();
    try (HttpSink sink = HttpSink.start(200, "{}")) {
      rows.addAll(http.pusherQueued(sink));
    }
    rows.forEach(System.out::println);
  }

  List<GoalRow> measure() throws Exception {
    List<GoalRow> rows = new ArrayList<>();
    try (HttpSink sink = HttpSink.start(200, "{}")) {
      rows.addAll(pusherQueued(sink));
    }
    try (HttpSink slow = HttpSink.start(200, "{}", NETWORK_LATENCY)) {
      rows.addAll(pusherSlow(slow));
    }
    try (HttpSink sink = HttpSink.start(201, "{\"channel\":\"private:orders.0\",\"messageId\":\"m\"}").recordBodies()) {
      for (int channels : new int[] {1, 64}) {
        rows.add(ablyQueued(sink, channels));
      }
    }
    return rows;
  }

  /**
   * Both pusher queued rows, after {@value #PUSHER_WARM_UP_ROUNDS} unmeasured rounds of each side on
   * both channel counts: each round is a fresh 40,000 events through code the JIT is still compiling,
   * and without this the 1-channel row, measured first, paid the warm-up of both rows (its CPU per
   * event fell from 48 to 34 µs over its 5 rounds, the official client's from 79 to 42).
   */
  private List<GoalRow> pusherQueued(HttpSink sink) throws Exception {
    int count = goals.sizes().httpEvents();
    try (Broadcaster broadcaster = pusher(sink, UnaryOperator.identity()); Official official = new Official(sink)) {
      for (int round = 0; round < PUSHER_WARM_UP_ROUNDS; round++) {
        for (int channels : new int[] {1, 64}) {
          goals.log().println("  warm-up, unmeasured: " + queued(broadcaster, "ours", count, channels).describe());
          goals.log().println("  warm-up, unmeasured: " + official.run(count, channels).describe());
        }
      }
    }
    List<GoalRow> rows = new ArrayList<>();
    for (int channels : new int[] {1, 64}) {
      rows.addAll(pusherQueued(sink, channels));
    }
    return rows;
  }

  private List<GoalRow> pusherQueued(HttpSink sink, int channels) throws Exception {
    goals.log().println("pusher queued, " + channels + " channel(s), sink answers at once");
    int count = goals.sizes().httpEvents();
    try (Broadcaster broadcaster = pusher(sink, UnaryOperator.identity()); Official official = new Official(sink)) {
      Round[][] pair = goals.sideBySide(() -> queued(broadcaster, "ours", count, channels),
          () -> official.run(count, channels));
      String on = channels + " channel" + (channels == 1 ? "" : "s");
      return List.of(
          GoalRow.atLeast("pusher queued, " + on + ": ≥ 3× official async (256 in flight)", Goals.medianRate(pair[0]),
              Goals.medianRate(pair[1]), 3.0, "events/s"),
          GoalRow.atMost("pusher queued, " + on + ": CPU per event ≤ 1× official async", Goals.medianCpu(pair[0]),
              Goals.medianCpu(pair[1]), 1.0, "µs"));
    }
  }

  private List<GoalRow> pusherSlow(HttpSink slow) throws Exception {
    goals.log().println("pusher, sink answers after " + NETWORK_LATENCY.toMillis() + " ms, one hot channel");
    List<GoalRow> rows = new ArrayList<>();
    try (Broadcaster ordered = pusher(slow, UnaryOperator.identity())) {
      Round[] rounds = goals.alone(() -> queued(ordered, "ours ordered", goals.sizes().slowOrdered(), 1));
      rows.add(GoalRow.atLeastFigure("pusher, sink at 20 ms, one hot channel, ordered: ≥ 400 events/s",
          Goals.medianRate(rounds), 400, "events/s"));
    }
    String goal = "pusher, sink at 20 ms, one hot channel, ordering off (`perChannelOrder(false)`): "
        + "≥ official async (256 in flight)";
    int count = goals.sizes().slowPeer();
    try (Official official = new Official(slow);
        Broadcaster unordered = pusher(slow, builder -> builder.perChannelOrder(false))) {
      Round[][] pair = goals.sideBySide(() -> queued(unordered, "ours unordered", count, 1), () -> official.run(count, 1));
      rows.add(GoalRow.atLeast(goal, Goals.medianRate(pair[0]), Goals.medianRate(pair[1]), 1.0, "events/s"));
    }
    return rows;
  }

  private GoalRow ablyQueued(HttpSink sink, int channels) throws Exception {
    goals.log().println("ably queued, " + channels + " channel(s)");
    int count = goals.sizes().httpEvents();
    OkHttpClient client = PooledClients.pool64();
    try (Broadcaster broadcaster = Broadcaster.builder().connection("ably", AblyBroadcastDriver.builder().key(ABLY_KEY)
        .host("127.0.0.1").port(sink.port()).tls(false).allowInsecureBasicAuth(true).build())
        .blockWhenFull(Duration.ofMinutes(1)).build()) {
      // raw OkHttp posts, per event, exactly the body the driver sent for one event
      broadcaster.broadcast(new GoalEvent(0)).join();
      byte[] body = sink.lastBody().getBytes(StandardCharsets.UTF_8);
      String path = sink.lastUri();
      if (!path.contains("orders.0/messages")) {
        throw new IllegalStateException("the ably driver posted to " + path + ", not to channel private:orders.0");
      }
      String basic = "Basic " + Base64.getEncoder().encodeToString(ABLY_KEY.getBytes(StandardCharsets.UTF_8));
      Request[] prepared = new Request[channels];
      for (int c = 0; c < channels; c++) {
        prepared[c] = new Request.Builder()
            .url("http://127.0.0.1:" + sink.port() + path.replace("orders.0/", "orders." + c + "/"))
            .header("Authorization", basic).header("Accept", "application/json").header("X-Ably-Version", "2")
            .post(RequestBody.create(body, MediaType.get("application/json"))).build();
      }
      Round[][] pair = goals.sideBySide(() -> queued(broadcaster, "ours", count, channels),
          () -> Round.run("raw OkHttp, 64 in flight, " + channels + " channel(s)", count, InFlight.WINDOW,
              goals.sizes().limit(), i -> RawPost.send(client, prepared[i % channels])));
      return GoalRow.atLeast("ably queued, " + channels + " channel" + (channels == 1 ? "" : "s")
          + ": ≥ 3× raw OkHttp, one request per event (64 in flight)", Goals.medianRate(pair[0]),
          Goals.medianRate(pair[1]), 3.0, "events/s");
    } finally {
      PooledClients.close(client);
    }
  }

  Round queued(Broadcaster broadcaster, String who, int count, int channels) throws InterruptedException {
    GoalEvent[] events = new GoalEvent[channels];
    java.util.Arrays.setAll(events, GoalEvent::new);
    return Round.run(who + " queued, " + channels + " channel(s)", count, 0, goals.sizes().limit(),
        i -> broadcaster.broadcast(events[i % channels]));
  }

  static Broadcaster pusher(HttpSink sink, UnaryOperator<Broadcaster.Builder> options) {
    return options.apply(Broadcaster.builder().connection("pusher", PusherBroadcastDriver.builder()
            .appId(AuthBenchmark.APP_ID).key(AuthBenchmark.KEY).secret(AuthBenchmark.SECRET)
            .host("127.0.0.1").port(sink.port()).scheme("http").build())
        .blockWhenFull(Duration.ofMinutes(1))).build();
  }

  /** The official pusher-http-java async client, {@value #OFFICIAL_IN_FLIGHT} events in flight, the same data. */
  final class Official implements AutoCloseable {
    private final PusherAsync client;

    Official(HttpSink sink) {
      client = new PusherAsync(AuthBenchmark.APP_ID, AuthBenchmark.KEY, AuthBenchmark.SECRET);
      client.setHost("127.0.0.1:" + sink.port());
      // the data is JSON text already, handed over as the driver receives it from core
      client.setDataMarshaller(text -> (String) text);
    }

    Round run(int count, int channels) throws InterruptedException {
      String[] names = new String[channels];
      java.util.Arrays.setAll(names, GoalEvent::channelName);
      return Round.run("official async, 256 in flight, " + channels + " channel(s)", count, OFFICIAL_IN_FLIGHT,
          goals.sizes().limit(), i -> client.trigger(names[i % channels], "OrderShipped", data)
              .thenAccept(result -> {
                if (result.getHttpStatus() != 200) {
                  throw new IllegalStateException("official client: HTTP " + result.getHttpStatus());
                }
              }));
    }

    @Override
    public void close() throws Exception {
      client.close();
    }
  }
}
