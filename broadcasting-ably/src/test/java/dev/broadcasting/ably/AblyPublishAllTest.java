package dev.broadcasting.ably;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.broadcasting.BroadcastException;
import dev.broadcasting.Channel;
import dev.broadcasting.spi.BroadcastMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** publishAll: the batch core hands over keeps its order, and one channel's run shares a request. */
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
    for (int i = 0; i < 3; i++) {
      assertThat(first.get(i).get("name").asText()).isEqualTo("m" + (i + 1));
      assertThat(first.get(i).get("id").asText()).isEqualTo(AblyPublishTest.expectedId(messages.get(i)));
    }
    assertThat(body(1).get("messages").get(0).get("name").asText()).isEqualTo("m4");
    assertThat(body(1).get("channels").toString()).isEqualTo("[\"public:a\",\"public:b\"]");
    assertThat(body(2).get(0).get("name").asText()).isEqualTo("m5");
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

  private static BroadcastException failure(java.util.concurrent.CompletableFuture<Void> future) throws Exception {
    try {
      future.get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return (BroadcastException) e.getCause();
    }
    throw new AssertionError("expected a failure");
  }
}
