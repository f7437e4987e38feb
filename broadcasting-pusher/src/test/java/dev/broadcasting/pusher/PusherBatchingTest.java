package dev.broadcasting.pusher;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.broadcasting.BroadcastEvent;
import dev.broadcasting.BroadcastListener;
import dev.broadcasting.Broadcaster;
import dev.broadcasting.Channel;
import dev.broadcasting.FailedBroadcast;
import dev.broadcasting.RetryPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Coalescing on the wire: separate {@code broadcast()} calls that wait behind a request in flight
 * go out as {@code batch_events} requests of at most 10 items, in order, and a failed batch is
 * retried whole without any event reported twice.
 */
class PusherBatchingTest {
  private PusherPeer peer;
  private Broadcaster broadcaster;
  private final List<String> sent = new CopyOnWriteArrayList<>();
  private final List<FailedBroadcast> failed = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() throws Exception {
    peer = new PusherPeer();
    broadcaster = Broadcaster.builder()
        .connection("pusher", peer.driver().build())
        .retry(RetryPolicy.builder().maxAttempts(3).baseDelay(Duration.ofMillis(10)).maxDelay(Duration.ofMillis(20))
            .build())
        .onFailure(failed::add)
        .listener(new BroadcastListener() {
          @Override
          public void onSent(BroadcastEvent event, String connection, int attempts, long latencyNanos) {
            sent.add(event.payload());
          }
        })
        .build();
  }

  @AfterEach
  void stop() {
    broadcaster.close();
    peer.close();
  }

  private List<CompletableFuture<Void>> burst(List<String> channels, int from, int to) {
    List<CompletableFuture<Void>> futures = new ArrayList<>();
    for (int n = from; n <= to; n++) {
      futures.add(broadcaster.on(channels.stream().map(Channel::new).toList()).as("Tick")
          .with(Map.of("n", n)).send());
    }
    return futures;
  }

  /** (channel, data) of every item of a {@code batch_events} body, in order. */
  private static List<String> items(PusherPeer.Received request) {
    assertThat(request.path()).endsWith("/batch_events");
    List<String> out = new ArrayList<>();
    for (JsonNode item : request.json().get("batch")) {
      assertThat(item.get("name").asText()).isEqualTo("Tick");
      out.add(item.get("channel").asText() + " " + item.get("data").asText());
    }
    return out;
  }

  private static List<String> expected(String channel, int from, int to) {
    List<String> out = new ArrayList<>();
    for (int n = from; n <= to; n++) {
      out.add(channel + " {\"n\":" + n + "}");
    }
    return out;
  }

  @Test
  void aBurstBehindARequestInFlightGoesOutAsBatchesOfTenInOrder() throws Exception {
    peer.holdAnswers();
    List<CompletableFuture<Void>> futures = burst(List.of("orders"), 1, 1);
    PusherPeer.Received first = peer.takeSigned();
    assertThat(first.path()).endsWith("/events");
    futures.addAll(burst(List.of("orders"), 2, 21));
    peer.release();

    List<String> batched = new ArrayList<>(items(peer.takeSigned()));
    assertThat(batched).hasSize(10);
    batched.addAll(items(peer.takeSigned()));
    assertThat(batched).containsExactlyElementsOf(expected("orders", 2, 21));
    CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
    assertThat(peer.requestCount()).isEqualTo(3);
    assertThat(sent).hasSize(21);
    assertThat(failed).isEmpty();
  }

  @Test
  void anEventOnSeveralChannelsIsExpandedIntoOneItemPerChannel() throws Exception {
    peer.holdAnswers();
    List<CompletableFuture<Void>> futures = burst(List.of("a"), 1, 1);
    peer.takeSigned();
    futures.addAll(burst(List.of("a"), 2, 2));
    futures.addAll(burst(List.of("a", "b", "c"), 3, 3));
    futures.addAll(burst(List.of("a"), 4, 4));
    peer.release();

    assertThat(items(peer.takeSigned())).containsExactly("a {\"n\":2}", "a {\"n\":3}", "b {\"n\":3}", "c {\"n\":3}",
        "a {\"n\":4}");
    CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
    assertThat(sent).hasSize(4);
  }

  @Test
  void aBatchAnsweredWithA500IsSentAgainWholeAndEachEventReportedOnce() throws Exception {
    peer.holdAnswers();
    List<CompletableFuture<Void>> futures = burst(List.of("orders"), 1, 1);
    peer.takeSigned();
    futures.addAll(burst(List.of("orders"), 2, 11));
    peer.answer(200, "{}"); // the first request
    peer.answer(500, "oops"); // the batch, the first time
    peer.release();

    assertThat(items(peer.takeSigned())).containsExactlyElementsOf(expected("orders", 2, 11));
    assertThat(items(peer.takeSigned())).containsExactlyElementsOf(expected("orders", 2, 11));
    CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
    assertThat(peer.requestCount()).isEqualTo(3);
    assertThat(sent).hasSize(11).doesNotHaveDuplicates();
    assertThat(failed).isEmpty();
  }
}
