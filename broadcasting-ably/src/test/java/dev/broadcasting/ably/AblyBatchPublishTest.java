package dev.broadcasting.ably;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.broadcasting.BroadcastException;
import dev.broadcasting.Channel;
import dev.broadcasting.spi.BroadcastMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.Test;

/**
 * publishBatch of coalesced events on several channels: one batch publish ({@code POST /messages})
 * with a spec per channel, and each channel's outcome its own.
 */
class AblyBatchPublishTest extends AgainstFakeAbly {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static BroadcastMessage on(String name, String channel) {
    return BroadcastMessage.of(name, List.of(new Channel(channel)), "{\"n\":\"" + name + "\"}");
  }

  @Test
  void eventsOnSeveralChannelsGoOutAsOneBatchPublishWithASpecPerChannelInOrder() throws Exception {
    ably.answer = request -> FakeAbly.json(201, "[{\"successCount\":1,\"failureCount\":0,\"results\":"
        + "[{\"channel\":\"public:a\",\"messageId\":\"x\"}]}]");
    List<BroadcastMessage> batch = List.of(on("m1", "a"), on("m2", "b"), on("m3", "a"), on("m4", "c"));
    List<CompletableFuture<Void>> sent = driver.publishBatch(batch);
    for (CompletableFuture<Void> one : sent) {
      one.get(10, TimeUnit.SECONDS);
    }

    assertThat(ably.requests).hasSize(1);
    RecordedRequest request = ably.requests.get(0);
    assertThat(request.getTarget()).isEqualTo("/messages");
    JsonNode specs = JSON.readTree(request.getBody().utf8());
    assertThat(specs.isArray()).isTrue();
    List<String> shape = new ArrayList<>();
    for (JsonNode spec : specs) {
      List<String> names = new ArrayList<>();
      spec.get("messages").forEach(m -> names.add(m.get("name").asText() + " " + m.get("data").asText()));
      shape.add(spec.get("channels") + " " + names);
    }
    assertThat(shape).containsExactly(
        "[\"public:a\"] [m1 {\"n\":\"m1\"}, m3 {\"n\":\"m3\"}]",
        "[\"public:b\"] [m2 {\"n\":\"m2\"}]",
        "[\"public:c\"] [m4 {\"n\":\"m4\"}]");
    // the ids a channel's messages would have in a request of their own: <base of the first>:<index>
    JsonNode a = specs.get(0).get("messages");
    String base = a.get(0).get("id").asText().substring(0, a.get(0).get("id").asText().lastIndexOf(':'));
    assertThat(a.get(0).get("id").asText()).isEqualTo(base + ":0");
    assertThat(a.get(1).get("id").asText()).isEqualTo(base + ":1");
    assertThat(specs.get(0).get("messages").get(0).get("encoding").asText()).isEqualTo("json");
  }

  @Test
  void aChannelAblyRefusedFailsAloneAndTheOthersAreDelivered() throws Exception {
    ably.answer = request -> FakeAbly.json(400, "{\"error\":{\"code\":40020,\"statusCode\":400,\"message\":\"x\"},"
        + "\"batchResponse\":[{\"successCount\":1,\"failureCount\":0,\"results\":[{\"channel\":\"public:a\",\"messageId\":\"m\"}]},"
        + "{\"successCount\":0,\"failureCount\":1,\"results\":[{\"channel\":\"public:b\",\"error\":"
        + "{\"code\":50000,\"statusCode\":500,\"message\":\"internal\"}}]},"
        + "{\"successCount\":0,\"failureCount\":1,\"results\":[{\"channel\":\"public:c\",\"error\":"
        + "{\"code\":40160,\"statusCode\":401,\"message\":\"not permitted\"}}]}]}");
    List<CompletableFuture<Void>> sent = driver.publishBatch(List.of(on("m1", "a"), on("m2", "b"), on("m3", "c"),
        on("m4", "a")));

    sent.get(0).get(10, TimeUnit.SECONDS);
    sent.get(3).get(10, TimeUnit.SECONDS);
    BroadcastException b = failure(sent.get(1));
    assertThat(b.isRetryable()).isTrue();
    assertThat(b.getMessage()).contains("channel public:b (50000: internal)");
    BroadcastException c = failure(sent.get(2));
    assertThat(c.isRetryable()).isFalse();
    assertThat(c.providerCode()).isEqualTo(40160);
    assertThat(ably.requests).hasSize(1);
  }

  @Test
  void aBatchPublishAblyRefusedWholeFailsEveryChannel() throws Exception {
    ably.answer = request -> FakeAbly.error(503, 50300, "unavailable");
    List<CompletableFuture<Void>> sent = driver.publishBatch(List.of(on("m1", "a"), on("m2", "b")));
    for (CompletableFuture<Void> one : sent) {
      BroadcastException error = failure(one);
      assertThat(error.isRetryable()).isTrue();
      assertThat(error.httpStatus()).isEqualTo(503);
    }
  }

  @Test
  void aChannelWhoseEventsNeedSeveralRequestsKeepsItsOwnRequestsAfterOneAnother() throws Exception {
    // each message is 2 (name) + 11 (payload) = 13 bytes; a limit of 30 fits two in a request
    driver.close();
    driver = ably.driver().maxMessageSize(30).build();
    List<CompletableFuture<Void>> sent = driver.publishBatch(List.of(on("m1", "a"), on("m2", "a"), on("m3", "a"),
        on("m4", "b"), on("m5", "c")));
    for (CompletableFuture<Void> one : sent) {
      one.get(10, TimeUnit.SECONDS);
    }
    List<String> targets = ably.requests.stream().map(RecordedRequest::getTarget).toList();
    assertThat(targets).containsExactlyInAnyOrder("/messages", "/channels/public%3Aa/messages",
        "/channels/public%3Aa/messages");
    assertThat(targets.indexOf("/channels/public%3Aa/messages")).isLessThan(targets.lastIndexOf("/channels/public%3Aa/messages"));
    List<String> first = new ArrayList<>();
    JSON.readTree(ably.requests.get(targets.indexOf("/channels/public%3Aa/messages")).getBody().utf8())
        .forEach(m -> first.add(m.get("name").asText()));
    assertThat(first).containsExactly("m1", "m2");
  }

  private static BroadcastException failure(CompletableFuture<Void> future) throws Exception {
    try {
      future.get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return (BroadcastException) e.getCause();
    }
    throw new AssertionError("expected a failure");
  }
}
