package dev.broadcasting.ably;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Coalescing on the wire: separate {@code broadcast()} calls waiting behind a request in flight
 * go out as one {@code POST /channels/{name}/messages} per channel, in order; a failed request is
 * sent again whole, with the same message ids, and no event is reported twice.
 */
class AblyBatchingTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private FakeAbly ably;
  private final CountDownLatch firstHeld = new CountDownLatch(1);
  private final CountDownLatch release = new CountDownLatch(1);
  private final List<FailedBroadcast> failed = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() throws Exception {
    ably = FakeAbly.start();
  }

  @AfterEach
  void stop() throws Exception {
    release.countDown();
    ably.close();
  }

  private Broadcaster broadcaster() {
    return Broadcaster.builder().connection("ably", ably.driver().build()).onFailure(failed::add)
        .retry(RetryPolicy.builder().maxAttempts(3).baseDelay(Duration.ofMillis(10)).maxDelay(Duration.ofMillis(20))
            .build())
        .build();
  }

  /** Holds the answer to the first request until the test releases it. */
  private void holdFirst(java.util.function.Function<Integer, mockwebserver3.MockResponse> then) {
    AtomicInteger count = new AtomicInteger();
    ably.answer = request -> {
      int n = count.incrementAndGet();
      if (n == 1) {
        firstHeld.countDown();
        try {
          release.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return then.apply(n);
    };
  }

  private static List<CompletableFuture<Void>> burst(Broadcaster broadcaster, String channel, int from, int to) {
    List<CompletableFuture<Void>> futures = new ArrayList<>();
    for (int n = from; n <= to; n++) {
      futures.add(broadcaster.on(new Channel(channel)).as("Tick").with(Map.of("n", n)).send());
    }
    return futures;
  }

  private static List<String> data(RecordedRequest request) throws Exception {
    List<String> out = new ArrayList<>();
    JsonNode body = JSON.readTree(request.getBody().utf8());
    for (JsonNode message : body.isArray() ? body : List.of(body)) {
      out.add(message.get("data").asText());
    }
    return out;
  }

  private static List<String> expected(int from, int to) {
    List<String> out = new ArrayList<>();
    for (int n = from; n <= to; n++) {
      out.add("{\"n\":" + n + "}");
    }
    return out;
  }

  @Test
  void aBurstBehindARequestInFlightGoesOutAsOneRequestPerChannel() throws Exception {
    holdFirst(n -> FakeAbly.created());
    try (Broadcaster broadcaster = broadcaster()) {
      List<CompletableFuture<Void>> futures = burst(broadcaster, "orders", 1, 1);
      assertThat(firstHeld.await(10, TimeUnit.SECONDS)).isTrue();
      futures.addAll(burst(broadcaster, "orders", 2, 31));
      release.countDown();
      CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
    }
    assertThat(ably.requests).hasSize(2);
    assertThat(ably.requests.get(1).getUrl().encodedPath()).isEqualTo("/channels/public%3Aorders/messages");
    assertThat(data(ably.requests.get(1))).containsExactlyElementsOf(expected(2, 31));
    assertThat(failed).isEmpty();
  }

  @Test
  void aFailedRequestOfCoalescedEventsIsSentAgainWholeWithTheSameIds() throws Exception {
    holdFirst(n -> n == 2 ? FakeAbly.error(500, 50000, "internal") : FakeAbly.created());
    try (Broadcaster broadcaster = broadcaster()) {
      List<CompletableFuture<Void>> futures = burst(broadcaster, "orders", 1, 1);
      assertThat(firstHeld.await(10, TimeUnit.SECONDS)).isTrue();
      futures.addAll(burst(broadcaster, "orders", 2, 11));
      release.countDown();
      CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
    }
    assertThat(ably.requests).hasSize(3);
    assertThat(data(ably.requests.get(1))).containsExactlyElementsOf(expected(2, 11));
    assertThat(data(ably.requests.get(2))).containsExactlyElementsOf(expected(2, 11));
    assertThat(JSON.readTree(ably.requests.get(2).getBody().utf8()).findValuesAsText("id"))
        .isEqualTo(JSON.readTree(ably.requests.get(1).getBody().utf8()).findValuesAsText("id"));
    assertThat(failed).isEmpty();
  }
}
