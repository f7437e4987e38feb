package dev.broadcasting.redis;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.broadcasting.BroadcastListener;
import dev.broadcasting.Broadcaster;
import dev.broadcasting.Channel;
import dev.broadcasting.FailedBroadcast;
import dev.broadcasting.RetryPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Redis goes away in the middle of 10,000 queued broadcasts and comes back; a real subscriber
 * counts what arrived. The driver reports each failed publish as retryable, core retries with
 * back-off, and every event arrives, in order per channel.
 *
 * <p>How the count is made exact although pub/sub keeps nothing: a message published while no
 * subscriber listens is gone, and that would be the test's fault, not the driver's. So the
 * driver reaches Redis through a {@link GatedProxy}, and an outage goes:
 * <ol>
 *   <li>shut the proxy: the driver's connection is cut, its publishes fail and are retried;
 *   <li>publish a marker on the old server and wait for the subscriber to get it: whatever the old
 *       server executed has then reached the subscriber, so nothing is lost with the server;
 *   <li>kill (or stop) Redis, start it again on the same port, empty;
 *   <li>wait until the subscriber (connected straight to Redis) has reconnected and subscribed
 *       again, seen as PUBSUB NUMPAT on the new server;
 *   <li>open the proxy: the driver reconnects and the retried events flow.
 * </ol>
 * A publish that Redis executed but whose answer the cut lost is sent again (by lettuce or by
 * core's retry) and arrives twice: pub/sub cannot tell. The tests therefore assert every event
 * at least once, in order per channel among first arrivals, and print the duplicates they saw.
 */
class RedisFaultTest {
  /** The driver's builder (on its own publish socket); a subclass runs these tests through lettuce. */
  RedisBroadcastDriver.Builder driverBuilder() {
    return RedisBroadcastDriver.builder();
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int EVENTS = 10_000;

  /** One event of a stream: its sequence number on each of its channels. */
  record Tick(int seq, List<String> on) implements dev.broadcasting.ShouldBroadcast {
    @Override
    public List<Channel> broadcastOn() {
      return on.stream().map(Channel::new).toList();
    }
  }

  @Test
  void everyQueuedBroadcastArrivesAfterAServerRestart() throws Exception {
    // events on two channels each: the EVAL path, 20 channels, Redis stopped cleanly (SIGTERM)
    Result result = run("restart under 10,000 queued events on 2 of 20 channels", 20, 2, RedisServer::stop);

    assertThat(result.failed).isEmpty();
    assertThat(result.retries).isPositive();
    assertThat(result.receivedBeforeOutage).isBetween(1, EVENTS * 2 - 1);
    result.assertEveryEventOnceOrMoreInOrder();
  }

  @Test
  void tenThousandEventsOnFiftyChannelsSurviveRedisBeingKilled() throws Exception {
    // one channel per event: the PUBLISH path, 50 channels, Redis killed (SIGKILL)
    Result result = run("kill under 10,000 events on 50 channels", 50, 1, RedisServer::kill);

    assertThat(result.failed).isEmpty();
    assertThat(result.retries).isPositive();
    assertThat(result.receivedBeforeOutage).isBetween(1, EVENTS - 1);
    result.assertEveryEventOnceOrMoreInOrder();
  }

  private Result run(String name, int channels, int channelsPerEvent, java.util.function.Consumer<RedisServer> outage)
      throws Exception {
    AtomicInteger retries = new AtomicInteger();
    ConcurrentLinkedQueue<FailedBroadcast> failed = new ConcurrentLinkedQueue<>();
    BroadcastListener listener = new BroadcastListener() {
      @Override
      public void onRetry(dev.broadcasting.BroadcastEvent m, String c, int attempt, Duration d, Throwable e) {
        retries.incrementAndGet();
      }
    };
    try (RedisServer server = RedisServer.start();
        GatedProxy proxy = new GatedProxy(server.port());
        RedisSubscriber subscriber = RedisSubscriber.pattern(server.port(), "*")) {
      Broadcaster broadcaster = Broadcaster.builder()
          .connection("redis", driverBuilder().uri("redis://127.0.0.1:" + proxy.port())
              .commandTimeout(Duration.ofSeconds(2)).build())
          .queueCapacity(EVENTS * 2)
          .retry(RetryPolicy.builder().maxAttempts(10_000).baseDelay(Duration.ofMillis(10))
              .maxDelay(Duration.ofMillis(200)).deadline(Duration.ofSeconds(90)).build())
          .listener(listener)
          .onFailure(failed::add)
          .drainTimeout(Duration.ofSeconds(60))
          .build();
      try (broadcaster) {
        List<CompletableFuture<Void>> sent = new ArrayList<>(EVENTS);
        int expected = EVENTS * channelsPerEvent;
        // pipelined, the first half may all be out before the cut: the second half is sent into it
        broadcastRange(broadcaster, sent, 0, EVENTS / 2, channels, channelsPerEvent);
        subscriber.await(expected / 5, Duration.ofSeconds(30));
        proxy.shut();
        broadcastRange(broadcaster, sent, EVENTS / 2, EVENTS, channels, channelsPerEvent);
        int receivedBeforeOutage = subscriber.settle(server.port()).size();
        outage.accept(server);
        server.startAgain();
        RedisSubscriber.awaitResubscribed(server.port());
        proxy.open();

        CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get(90, TimeUnit.SECONDS);
        List<RedisSubscriber.Received> received = subscriber.settle(server.port());
        return new Result(name, received, expected, receivedBeforeOutage, retries.get(), List.copyOf(failed),
            keys(EVENTS, channels, channelsPerEvent));
      }
    }
  }

  /** "channel#seq" of every message the run sends, in the order they are broadcast. */
  private static List<String> keys(int events, int channels, int channelsPerEvent) {
    List<String> keys = new ArrayList<>(events * channelsPerEvent);
    for (int i = 0; i < events; i++) {
      for (int k = 0; k < channelsPerEvent; k++) {
        keys.add("fault." + ((i + k) % channels) + "#" + i);
      }
    }
    return keys;
  }

  private static void broadcastRange(Broadcaster broadcaster, List<CompletableFuture<Void>> sent, int from, int to,
      int channels, int channelsPerEvent) {
    for (int i = from; i < to; i++) {
      List<String> on = new ArrayList<>(channelsPerEvent);
      for (int k = 0; k < channelsPerEvent; k++) {
        on.add("fault." + ((i + k) % channels));
      }
      sent.add(broadcaster.broadcast(new Tick(i, on)));
    }
  }

  private static final class Result {
    final String name;
    final List<RedisSubscriber.Received> received;
    final int expected;
    final int receivedBeforeOutage;
    final int retries;
    final List<FailedBroadcast> failed;
    final List<String> sent;

    Result(String name, List<RedisSubscriber.Received> received, int expected, int receivedBeforeOutage,
        int retries, List<FailedBroadcast> failed, List<String> sent) {
      this.name = name;
      this.received = received;
      this.expected = expected;
      this.receivedBeforeOutage = receivedBeforeOutage;
      this.retries = retries;
      this.failed = failed;
      this.sent = sent;
    }

    void assertEveryEventOnceOrMoreInOrder() throws Exception {
      Map<String, List<Integer>> firstArrivals = new HashMap<>();
      Set<String> seen = new HashSet<>();
      int duplicates = 0;
      for (RedisSubscriber.Received message : received) {
        JsonNode json = JSON.readTree(message.body());
        assertThat(json.get("event").asText()).isEqualTo("Tick");
        int seq = json.get("data").get("seq").asInt();
        if (seen.add(message.channel() + "#" + seq)) {
          firstArrivals.computeIfAbsent(message.channel(), c -> new ArrayList<>()).add(seq);
        } else {
          duplicates++;
        }
      }
      System.out.printf("%s: %d messages expected, %d received, %d duplicates, %d before the outage, %d retries%n",
          name, expected, received.size(), duplicates, receivedBeforeOutage, retries);

      List<String> missing = sent.stream().filter(key -> !seen.contains(key)).toList();
      assertThat(missing).as(describe(missing)).isEmpty();
      assertThat(seen).hasSize(expected);
      assertThat(received).hasSize(expected + duplicates);
      for (Map.Entry<String, List<Integer>> channel : firstArrivals.entrySet()) {
        assertThat(channel.getValue()).as("first arrivals on " + channel.getKey()).isSorted();
      }
    }

    /**
     * Which messages never arrived, and whether they were broadcast before the proxy was shut (seq
     * below {@code EVENTS / 2}) or into the outage: a loss seen once left only a count behind.
     */
    private String describe(List<String> missing) {
      if (missing.isEmpty()) {
        return name + ": nothing missing";
      }
      long beforeCut = missing.stream().filter(key -> seq(key) < EVENTS / 2).count();
      Map<String, Long> perChannel = new TreeMap<>(missing.stream()
          .collect(Collectors.groupingBy(key -> key.substring(0, key.indexOf('#')), Collectors.counting())));
      return String.format("%s: %d missing (every future completed normally), %d broadcast before the proxy was "
              + "shut (seq < %d), %d into the outage; seqs %d..%d; per channel %s", name, missing.size(), beforeCut,
          EVENTS / 2, missing.size() - beforeCut, seq(missing.get(0)), seq(missing.get(missing.size() - 1)),
          perChannel);
    }

    private static int seq(String key) {
      return Integer.parseInt(key.substring(key.indexOf('#') + 1));
    }
  }
}
