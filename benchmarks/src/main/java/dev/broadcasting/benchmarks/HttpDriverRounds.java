package dev.broadcasting.benchmarks;

import dev.broadcasting.Broadcaster;
import dev.broadcasting.ably.AblyBroadcastDriver;
import dev.broadcasting.pusher.PusherBroadcastDriver;
import java.time.Duration;
import java.util.Arrays;

/**
 * Rounds of one HTTP driver's goals row alone (ours, no peer), 10,000 queued events each (or as given) against a
 * loopback {@link HttpSink}, printing each round and the sink's request count: a workload to record
 * with JFR and read with {@code jfr-top.sh}.
 *
 * <pre>{@code
 * java -XX:StartFlightRecording=filename=pusher-64.jfr,settings=profile -cp benchmarks.jar \
 *     dev.broadcasting.benchmarks.HttpDriverRounds pusher 64 8
 * }</pre>
 */
public final class HttpDriverRounds {
  private HttpDriverRounds() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 3 || args.length > 4 || !(args[0].equals("pusher") || args[0].equals("ably"))) {
      throw new IllegalArgumentException("usage: HttpDriverRounds pusher|ably <channels> <rounds> [events a round, 10000]");
    }
    int perRound = args.length == 4 ? Integer.parseInt(args[3]) : 10_000;
    boolean ably = args[0].equals("ably");
    int channels = Integer.parseInt(args[1]);
    int rounds = Integer.parseInt(args[2]);
    try (HttpSink sink = HttpSink.start(ably ? 201 : 200, "{}");
        Broadcaster broadcaster = Broadcaster.builder().connection(args[0], ably
            ? AblyBroadcastDriver.builder().key("appid.keyid:secretsecret").host("127.0.0.1").port(sink.port())
                .tls(false).allowInsecureBasicAuth(true).build()
            : PusherBroadcastDriver.builder().appId(AuthBenchmark.APP_ID).key(AuthBenchmark.KEY)
                .secret(AuthBenchmark.SECRET).host("127.0.0.1").port(sink.port()).scheme("http").build())
            .blockWhenFull(Duration.ofMinutes(1)).build()) {
      GoalEvent[] events = new GoalEvent[channels];
      Arrays.setAll(events, GoalEvent::new);
      for (int round = 0; round < rounds; round++) {
        long before = sink.requests();
        ThreadCosts costs = ThreadCosts.now();
        Round measured = Round.run(args[0] + " queued, " + channels + " channel(s)", perRound, 0, Duration.ofMinutes(1),
            i -> broadcaster.broadcast(events[i % channels]));
        System.out.println(measured.describe() + " " + (sink.requests() - before) + " requests");
        System.out.print(ThreadCosts.now().minus(costs).perEvent(measured.delivered()));
      }
    }
  }
}
