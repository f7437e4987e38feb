package dev.broadcasting.ably;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.broadcasting.Broadcaster;
import dev.broadcasting.Channel;
import dev.broadcasting.RetryPolicy;
import dev.broadcasting.ShouldBroadcast;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.Test;

/**
 * A real Broadcaster retries a failed publish with the same message; the driver must then send the
 * same Ably ids, so that a publish Ably accepted but whose answer was lost is not delivered twice.
 * The fake server deduplicates by (channel, id) as Ably does.
 */
class AblyIdempotentRetryTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  record Said(String room, String text) implements ShouldBroadcast {
    @Override
    public List<Channel> broadcastOn() {
      return List.of(new Channel(room));
    }
  }

  @Test
  void retriesAfterAServerErrorAndATimeoutKeepTheIdsAndDeliverEachEventOnce() throws Exception {
    Map<String, List<String>> idsByChannel = new ConcurrentHashMap<>();
    Map<String, Set<String>> published = new ConcurrentHashMap<>();
    try (FakeAbly ably = FakeAbly.start()) {
      ably.answer = request -> {
        String channel = channelOf(request);
        String id = messageId(request);
        List<String> attempts = idsByChannel.computeIfAbsent(channel, c -> new ArrayList<>());
        synchronized (attempts) {
          attempts.add(id);
          switch (attempts.size()) {
            case 1:
              return FakeAbly.error(500, 50000, "internal error");   // nothing published
            case 2:
              publish(published, channel, id);                          // published, but the answer is lost
              return FakeAbly.stalled(3_000);
            default:
              publish(published, channel, id);                          // a copy is dropped
              return FakeAbly.created();
          }
        }
      };
      AblyBroadcastDriver driver = ably.driver().requestTimeout(Duration.ofSeconds(1)).build();
      RetryPolicy policy = RetryPolicy.builder().maxAttempts(5).baseDelay(Duration.ofMillis(20))
          .maxDelay(Duration.ofMillis(50)).deadline(Duration.ofSeconds(20)).build();
      try (Broadcaster broadcaster = Broadcaster.builder().connection("ably", driver).retry(policy).build()) {
        // One after the other: two events ready together may share one batch publish (POST /messages),
        // which this fake does not model; each channel's own request is what this test follows.
        broadcaster.broadcast(new Said("room.1", "hello")).get(20, TimeUnit.SECONDS);
        broadcaster.broadcast(new Said("room.2", "bye")).get(20, TimeUnit.SECONDS);
      }
    }

    assertThat(idsByChannel).containsOnlyKeys("public:room.1", "public:room.2");
    List<String> one = idsByChannel.get("public:room.1");
    List<String> two = idsByChannel.get("public:room.2");
    assertThat(one).hasSize(3).containsOnly(one.get(0));
    assertThat(two).hasSize(3).containsOnly(two.get(0));
    assertThat(one.get(0)).isNotEqualTo(two.get(0)).matches("[A-Za-z0-9+/]{12,}={0,2}:0");
    // Each channel saw exactly one message: a retry with a fresh id would have published a second.
    assertThat(published.get("public:room.1")).containsExactly(one.get(0));
    assertThat(published.get("public:room.2")).containsExactly(two.get(0));
  }

  /** Publishes on the channel unless a message with this id was published there before, as Ably does. */
  private static void publish(Map<String, Set<String>> published, String channel, String id) {
    published.computeIfAbsent(channel, c -> ConcurrentHashMap.newKeySet()).add(id);
  }

  private static String channelOf(RecordedRequest request) {
    String target = request.getTarget();
    return java.net.URLDecoder.decode(target.substring("/channels/".length(), target.lastIndexOf("/messages")),
        java.nio.charset.StandardCharsets.UTF_8);
  }

  private static String messageId(RecordedRequest request) {
    try {
      JsonNode body = JSON.readTree(request.getBody().utf8());
      return body.get(0).get("id").asText();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
