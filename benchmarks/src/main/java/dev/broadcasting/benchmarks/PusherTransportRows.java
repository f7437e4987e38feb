package dev.broadcasting.benchmarks;

import dev.broadcasting.Broadcaster;
import dev.broadcasting.pusher.PusherBroadcastDriver;
import dev.broadcasting.pusher.internal.OkHttpTransport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import okhttp3.OkHttpClient;

/**
 * The two pusher queued rows of #15 (1 and 64 channels) with three sides in turns in one JVM: the
 * driver on its default Netty transport, the same driver on OkHttp (an application's client, built
 * as the driver built its own before Netty) and the official async client, after the goals' warm-up of every side on both channel counts. Prints
 * every round with the sink's request count and its CPU and sleeps per event by thread
 * ({@link ThreadCosts}), then each side's medians and, on 1 channel, the request cycle (round
 * time over requests).
 *
 * <pre>{@code java -cp benchmarks.jar dev.broadcasting.benchmarks.PusherTransportRows [--short]}</pre>
 */
public final class PusherTransportRows {
  private PusherTransportRows() {}

  public static void main(String[] args) throws Exception {
    Goals goals = new Goals(List.of(args).contains("--short") ? Goals.Sizes.SHORT : Goals.Sizes.FULL, System.out);
    HttpGoals http = new HttpGoals(goals);
    int count = goals.sizes().httpEvents();
    System.out.println("pusher transports, " + count + " events a round, load before " + Goals.loadAverage());
    OkHttpClient okHttpClient = OkHttpTransport.newClient(null, null, null, null);
    try (HttpSink sink = HttpSink.start(200, "{}");
        Broadcaster okhttp = Broadcaster.builder().connection("pusher", PusherBroadcastDriver.builder()
            .appId(AuthBenchmark.APP_ID).key(AuthBenchmark.KEY).secret(AuthBenchmark.SECRET)
            .host("127.0.0.1").port(sink.port()).scheme("http").client(okHttpClient).build())
            .blockWhenFull(Duration.ofMinutes(1)).build();
        Broadcaster netty = HttpGoals.pusher(sink, builder -> builder);
        HttpGoals.Official official = http.new Official(sink)) {
      for (int round = 0; round < HttpGoals.PUSHER_WARM_UP_ROUNDS; round++) {
        for (int channels : new int[] {1, 64}) {
          for (Callable<Round> side : sides(http, okhttp, netty, official, count, channels).values()) {
            System.out.println("  warm-up, unmeasured: " + side.call().describe());
          }
        }
      }
      for (int channels : new int[] {1, 64}) {
        System.out.println("pusher queued, " + channels + " channel(s), load before " + Goals.loadAverage());
        Map<String, Callable<Round>> sides = sides(http, okhttp, netty, official, count, channels);
        Map<String, List<Round>> rounds = new LinkedHashMap<>();
        Map<String, List<Double>> cycles = new LinkedHashMap<>();
        Map<String, List<ThreadCosts>> threads = new LinkedHashMap<>();
        for (int round = 0; round < goals.sizes().rounds(); round++) {
          for (Map.Entry<String, Callable<Round>> side : sides.entrySet()) {
            long requests = sink.requests();
            ThreadCosts costs = ThreadCosts.now();
            Round measured = side.getValue().call();
            requests = sink.requests() - requests;
            System.out.println("  " + measured.describe() + " " + requests + " requests");
            costs = ThreadCosts.now().minus(costs);
            System.out.print(costs.perEvent(measured.delivered()));
            threads.computeIfAbsent(side.getKey(), key -> new ArrayList<>()).add(costs);
            rounds.computeIfAbsent(side.getKey(), key -> new ArrayList<>()).add(measured);
            cycles.computeIfAbsent(side.getKey(), key -> new ArrayList<>()).add(measured.nanos() / 1e3 / requests);
          }
        }
        rounds.forEach((side, measured) -> System.out.printf(Locale.ROOT,
            "  median of %d rounds, %-8s %,10.0f events/s %6.1f us CPU/event, %6.1f us a request cycle%n",
            measured.size(), side, Goals.medianRate(measured.toArray(Round[]::new)),
            Goals.medianCpu(measured.toArray(Round[]::new)),
            cycles.get(side).stream().sorted().toList().get(measured.size() / 2)));
        threads.forEach((side, costs) -> System.out.print("  " + side + ", median by thread:\n" + ThreadCosts
            .medianPerEvent(costs, rounds.get(side).stream().map(Round::delivered).toList())));
      }
    }
    OkHttpTransport.shutDown(okHttpClient);
    System.out.println("load after " + Goals.loadAverage());
  }

  private static Map<String, Callable<Round>> sides(HttpGoals http, Broadcaster okhttp, Broadcaster netty,
      HttpGoals.Official official, int count, int channels) {
    Map<String, Callable<Round>> sides = new LinkedHashMap<>();
    sides.put("okhttp", () -> http.queued(okhttp, "ours (OkHttp)", count, channels));
    sides.put("netty", () -> http.queued(netty, "ours (Netty)", count, channels));
    sides.put("official", () -> official.run(count, channels));
    return sides;
  }
}
