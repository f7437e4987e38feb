package dev.broadcasting.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.broadcasting.BroadcastEvent;
import dev.broadcasting.BroadcastListener;
import dev.broadcasting.Broadcaster;
import dev.broadcasting.Channel;
import dev.broadcasting.FailedBroadcast;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Many busy channels on the publish socket against a real redis-server: core keeps the messages
 * in flight within the socket's bound on unanswered commands (8,192), so none is refused and
 * retried, and every event arrives once, in order on its channel.
 */
class RedisInFlightBoundTest {
  private static final int CHANNELS = 200;
  /** All within core's window per channel: without the bound, 16,000 could be in flight, beyond the socket's 8,192. */
  private static final int EVENTS = 80;

  @Test
  void twoHundredBusyChannelsStayWithinTheSocketsBoundWithoutARetry() throws Exception {
    List<String> retries = new CopyOnWriteArrayList<>();
    List<FailedBroadcast> failed = new CopyOnWriteArrayList<>();
    try (RedisServer server = RedisServer.start();
        RedisSubscriber subscriber = RedisSubscriber.pattern(server.port(), "*")) {
      RedisClient admin = RedisClient.create(RedisURI.create("127.0.0.1", server.port()));
      try (var connection = admin.connect();
          Broadcaster broadcaster = Broadcaster.builder()
              .connection("redis", RedisBroadcastDriver.builder().uri(server.uri()).publishSocket(true).build())
              .onFailure(failed::add)
              .listener(new BroadcastListener() {
                @Override
                public void onRetry(BroadcastEvent event, String connection, int attempt, Duration delay, Throwable cause) {
                  retries.add(cause.getMessage());
                }
              }).build()) {
        // Redis runs nothing for a moment: what core sends meanwhile waits unanswered on the socket
        connection.sync().clientPause(500);
        List<CompletableFuture<Void>> sent = new ArrayList<>();
        for (int n = 0; n < EVENTS; n++) {
          for (int c = 0; c < CHANNELS; c++) {
            sent.add(broadcaster.on(new Channel("room." + c)).as("Tick").with(Map.of("n", n)).send());
          }
        }
        CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
      } finally {
        admin.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      }

      assertThat(retries).isEmpty();
      assertThat(failed).isEmpty();
      Map<String, List<String>> byChannel = new LinkedHashMap<>();
      for (RedisSubscriber.Received received : subscriber.settle(server.port())) {
        byChannel.computeIfAbsent(received.channel(), c -> new ArrayList<>()).add(received.text());
      }
      List<String> expected = new ArrayList<>();
      for (int n = 0; n < EVENTS; n++) {
        expected.add("{\"event\":\"Tick\",\"data\":{\"n\":" + n + "},\"socket\":null}");
      }
      assertThat(byChannel).hasSize(CHANNELS);
      byChannel.forEach((channel, texts) -> assertThat(texts).as(channel).containsExactlyElementsOf(expected));
    }
  }
}
