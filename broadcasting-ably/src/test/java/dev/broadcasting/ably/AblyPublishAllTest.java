package dev.broadcasting.ably;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.broadcasting.BroadcastException;
import dev.broadcasting.Broadcaster;
import dev.broadcasting.Channel;
import dev.broadcasting.RetryPolicy;
import dev.broadcasting.ShouldBroadcast;
import dev.broadcasting.spi.BroadcastMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** publishAll: the batch core hands over keeps its order, and one channel's run shares a request and an id base. */
class AblyPublishAllTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private FakeAbly ably;

  @BeforeEach
  void start() throws Exception {
    ably = FakeAbly.start();
  }

  @AfterEach
  void stop() {
    ably.close();
  }

  private static BroadcastMessage on(String event, String... channels) {
    List<Channel> list = new ArrayList<>();
    for (String channel : channels) {
      list.add(new Channel(channel));
    }
    return BroadcastMessage.of(event, list, "{\"e\":\"" + event + "\"}");
  }

  @Test
  void keepsTheOrderAndGroupsConsecutiveMessagesForOneChannel() throws Exception {
    List<BroadcastMessage> messages = List.of(on("m1", "a"), on("m2", "a"), on("m3", "a"), on("m4", "a", "b"), on("m5", "a"));
    AblyBroadcastDriver driver = ably.driver().build();
    driver.publishAll(messages).get(10, TimeUnit.SECONDS);
    driver.close();

    assertThat(ably.requests).extracting(RecordedRequest::getTarget)
        .containsExactly("/channels/public%3Aa/messages", "/messages", "/channels/public%3Aa/messages");
    JsonNode first = body(0);
    assertThat(first).hasSize(3);
    String base = AblyPublishTest.expectedBase(messages.get(0));
    for (int i = 0; i < 3; i++) {
      assertThat(first.get(i).get("name").asText()).isEqualTo("m" + (i + 1));
      assertThat(first.get(i).get("id").asText()).isEqualTo(base + ":" + i);
    }
    assertThat(body(1).get("messages").get(0).get("name").asText()).isEqualTo("m4");
    assertThat(body(1).get("messages").get(0).get("id").asText()).isEqualTo(AblyPublishTest.expectedId(messages.get(3)));
    assertThat(body(1).get("channels").toString()).isEqualTo("[\"public:a\",\"public:b\"]");
    assertThat(body(2).get(0).get("name").asText()).isEqualTo("m5");
    assertThat(body(2).get(0).get("id").asText()).isEqualTo(AblyPublishTest.expectedId(messages.get(4)));
  }

  /**
   * Three events on one channel through a real Broadcaster: one request whose ids share one base,
   * {@code <base>:0..2} as ably-js sends them, and the same ids when the request is retried. The fake
   * refuses other id forms with 400 / 40031 and drops ids it has published, as Ably does.
   */
  @Test
  void eventsPublishedTogetherShareOneIdBaseAcrossRetries() throws Exception {
    List<List<String>> attempts = new CopyOnWriteArrayList<>();
    Set<String> published = ConcurrentHashMap.newKeySet();
    List<String> delivered = new CopyOnWriteArrayList<>();
    ably.answer = request -> {
      JsonNode sent = readBody(request);
      List<String> ids = new ArrayList<>();
      sent.forEach(message -> ids.add(message.get("id").asText()));
      attempts.add(ids);
      if (!sharesOneBase(ids)) {
        return FakeAbly.error(400, 40031, "Invalid publish request (invalid client-specified id)");
      }
      for (JsonNode message : sent) {
        if (published.add(message.get("id").asText())) {
          delivered.add(readJson(message.get("data").asText()).get("text").asText());
        }
      }
      // the first answer is lost: published, but the client sees a server error and retries
      return attempts.size() == 1 ? FakeAbly.error(500, 50000, "internal") : FakeAbly.created();
    };
    AblyBroadcastDriver driver = ably.driver().build();
    RetryPolicy policy = RetryPolicy.builder().maxAttempts(3).baseDelay(Duration.ofMillis(10))
        .maxDelay(Duration.ofMillis(20)).build();
    try (Broadcaster broadcaster = Broadcaster.builder().connection("ably", driver).retry(policy).build()) {
      broadcaster.broadcastAll(List.of(new Said("all.1", "m1"), new Said("all.1", "m2"), new Said("all.1", "m3")))
          .get(10, TimeUnit.SECONDS);
    }

    assertThat(ably.requests).extracting(RecordedRequest::getTarget)
        .containsExactly("/channels/public%3Aall.1/messages", "/channels/public%3Aall.1/messages");
    assertThat(attempts).hasSize(2);
    List<String> ids = attempts.get(0);
    assertThat(ids).hasSize(3);
    String base = ids.get(0).substring(0, ids.get(0).lastIndexOf(':'));
    assertThat(Base64.getDecoder().decode(base).length).isGreaterThanOrEqualTo(9);
    assertThat(ids).containsExactly(base + ":0", base + ":1", base + ":2");
    assertThat(attempts.get(1)).isEqualTo(ids);
    assertThat(delivered).containsExactly("m1", "m2", "m3");
    assertThat(published).hasSize(3);
  }

  record Said(String room, String text) implements ShouldBroadcast {
    @Override
    public List<Channel> broadcastOn() {
      return List.of(new Channel(room));
    }
  }

  /** Ably's rule for client-supplied ids in one publish: one base, then :0, :1, .. in order. */
  private static boolean sharesOneBase(List<String> ids) {
    String first = ids.get(0);
    int colon = first.lastIndexOf(':');
    if (colon <= 0) {
      return false;
    }
    String base = first.substring(0, colon);
    for (int i = 0; i < ids.size(); i++) {
      if (!ids.get(i).equals(base + ":" + i)) {
        return false;
      }
    }
    return true;
  }

  @Test
  void aGroupStaysWithinTheSizeLimit() throws Exception {
    // each message is 2 (name) + 11 (payload) = 13 bytes; a limit of 30 fits two in a request
    AblyBroadcastDriver driver = ably.driver().maxMessageSize(30).build();
    driver.publishAll(List.of(on("m1", "a"), on("m2", "a"), on("m3", "a"))).get(10, TimeUnit.SECONDS);
    driver.close();
    assertThat(ably.requests).hasSize(2);
    assertThat(body(0)).hasSize(2);
    assertThat(body(1)).hasSize(1);
  }

  @Test
  void aFailureInTheMiddleDoesNotStopTheRestAndIsRetryable() throws Exception {
    AtomicInteger count = new AtomicInteger();
    ably.answer = request -> count.incrementAndGet() == 2 ? FakeAbly.error(500, 50000, "internal") : FakeAbly.created();
    AblyBroadcastDriver driver = ably.driver().build();
    BroadcastException error = failure(driver.publishAll(List.of(on("m1", "a"), on("m2", "b"), on("m3", "c"))));
    driver.close();
    assertThat(ably.requests).extracting(RecordedRequest::getTarget).containsExactly(
        "/channels/public%3Aa/messages", "/channels/public%3Ab/messages", "/channels/public%3Ac/messages");
    assertThat(error.isRetryable()).isTrue();
    assertThat(error.getMessage()).contains("public:b");
  }

  /** Sent after it, a later message would arrive before the failed one once core's retry delivers that. */
  @Test
  void aFailedRequestStopsItsChannelOnly() throws Exception {
    AtomicInteger count = new AtomicInteger();
    ably.answer = request -> count.incrementAndGet() == 1 ? FakeAbly.error(503, 50300, "unavailable") : FakeAbly.created();
    AblyBroadcastDriver driver = ably.driver().build();
    BroadcastException error = failure(driver.publishAll(List.of(on("m1", "a"), on("m2", "b"), on("m3", "a"),
        on("m4", "b"))));
    driver.close();
    assertThat(error.isRetryable()).isTrue();
    assertThat(ably.requests).extracting(RecordedRequest::getTarget).containsExactly(
        "/channels/public%3Aa/messages", "/channels/public%3Ab/messages", "/channels/public%3Ab/messages");
    assertThat(body(1)).extracting(n -> n.get("name").asText()).containsExactly("m2");
    assertThat(body(2)).extracting(n -> n.get("name").asText()).containsExactly("m4");
  }

  @Test
  void anOversizedMessageIsReportedAndTheOthersAreSent() throws Exception {
    AblyBroadcastDriver driver = ably.driver().maxMessageSize(30).build();
    BroadcastMessage big = BroadcastMessage.of("big", List.of(new Channel("a")), "{\"t\":\"" + "x".repeat(40) + "\"}");
    BroadcastException error = failure(driver.publishAll(List.of(on("m1", "a"), big, on("m3", "a"))));
    driver.close();
    assertThat(error.isRetryable()).isFalse();
    assertThat(error.providerCode()).isEqualTo(40009);
    assertThat(ably.requests).hasSize(1);
    assertThat(body(0)).extracting(n -> n.get("name").asText()).containsExactly("m1", "m3");
  }

  private JsonNode body(int index) throws Exception {
    return JSON.readTree(ably.requests.get(index).getBody().utf8());
  }

  private static JsonNode readBody(RecordedRequest request) {
    return readJson(request.getBody().utf8());
  }

  private static JsonNode readJson(String text) {
    try {
      return JSON.readTree(text);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static BroadcastException failure(java.util.concurrent.CompletableFuture<Void> future) throws Exception {
    try {
      future.get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return (BroadcastException) e.getCause();
    }
    throw new AssertionError("expected a failure");
  }
}
