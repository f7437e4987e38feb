package dev.broadcasting.redis;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.broadcasting.Broadcaster;
import dev.broadcasting.Channel;
import dev.broadcasting.FailedBroadcast;
import dev.broadcasting.RetryPolicy;
import dev.broadcasting.ShouldBroadcast;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * {@code broadcastAll} on redis is all or nothing: a real redis-server is killed (SIGKILL) while a
 * 200-event batch is under way, and a real subscriber counts what arrived. The batch is delivered
 * whole or not at all, never twice, and never both delivered and reported failed.
 */
class RedisBatchTest {
  /** The driver's builder (on its own publish socket); a subclass runs these tests through lettuce. */
  RedisBroadcastDriver.Builder driverBuilder() {
    return RedisBroadcastDriver.builder();
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int EVENTS = 200;

  record Step(int seq, String room) implements ShouldBroadcast {
    @Override
    public List<Channel> broadcastOn() {
      return List.of(new Channel(room));
    }
  }

  private static List<Step> batch() {
    return IntStream.range(0, EVENTS).mapToObj(i -> new Step(i, "batch." + (i % 4))).toList();
  }

  @Test
  void killedFiftyMessagesIntoTheBatchItIsDeliveredWholeAndOnce() throws Exception {
    List<FailedBroadcast> failed = new CopyOnWriteArrayList<>();
    try (RedisServer server = RedisServer.start();
        RedisSubscriber subscriber = RedisSubscriber.pattern(server.port(), "*")) {
      // the 50th message to arrive kills Redis before the subscriber reads another; published one
      // by one, the rest of the batch would be cut off there and retried from its first event
      CompletableFuture<Void> killed = new CompletableFuture<>();
      subscriber.whenReceived(50, () -> {
        server.kill();
        killed.complete(null);
      });
      Throwable outcome;
      try (Broadcaster broadcaster = Broadcaster.builder()
          .connection("redis", driverBuilder().uri(server.uri()).build())
          .retry(RetryPolicy.builder().maxAttempts(3).baseDelay(Duration.ofMillis(10))
              .maxDelay(Duration.ofMillis(50)).build())
          .onFailure(failed::add)
          .build()) {
        outcome = broadcaster.broadcastAll(batch()).handle((ok, error) -> error).get(30, TimeUnit.SECONDS);
      }
      killed.get(30, TimeUnit.SECONDS);
      server.startAgain();
      RedisSubscriber.awaitResubscribed(server.port());

      assertThat(outcome).isNull();
      assertThat(failed).isEmpty();
      assertEachEventOnceInOrder(subscriber.settle(server.port()));
    }
  }

  @Test
  void killedBeforeRedisRanTheBatchNothingArrivesAndTheRetryDeliversItOnce() throws Exception {
    List<FailedBroadcast> failed = new CopyOnWriteArrayList<>();
    try (RedisServer server = RedisServer.start();
        GatedProxy proxy = new GatedProxy(server.port());
        RedisSubscriber subscriber = RedisSubscriber.pattern(server.port(), "*");
        Broadcaster broadcaster = Broadcaster.builder()
            .connection("redis", driverBuilder().uri("redis://127.0.0.1:" + proxy.port()).build())
            .retry(RetryPolicy.builder().maxAttempts(1_000).baseDelay(Duration.ofMillis(10))
                .maxDelay(Duration.ofMillis(100)).deadline(Duration.ofSeconds(60)).build())
            .onFailure(failed::add)
            .build()) {
      // Redis holds the batch unexecuted (CLIENT PAUSE WRITE) and is killed with it
      RedisClient adminClient = RedisClient.create(RedisURI.create("127.0.0.1", server.port()));
      CompletableFuture<Void> sent;
      try (StatefulRedisConnection<String, String> admin = adminClient.connect()) {
        admin.sync().dispatch(CommandType.CLIENT, new StatusOutput<>(StringCodec.UTF8),
            new CommandArgs<>(StringCodec.UTF8).add("PAUSE").add(60_000).add("WRITE"));
        sent = broadcaster.broadcastAll(batch());
        awaitBlockedClient(admin);
      } finally {
        adminClient.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      }
      server.kill();
      proxy.shut();
      assertThat(subscriber.count()).isZero();

      server.startAgain();
      RedisSubscriber.awaitResubscribed(server.port());
      proxy.open();
      sent.get(30, TimeUnit.SECONDS);

      assertThat(failed).isEmpty();
      assertEachEventOnceInOrder(subscriber.settle(server.port()));
    }
  }

  private static void awaitBlockedClient(StatefulRedisConnection<String, String> admin) throws InterruptedException {
    Pattern blocked = Pattern.compile("blocked_clients:(\\d+)");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      Matcher m = blocked.matcher(admin.sync().info("clients"));
      if (m.find() && Integer.parseInt(m.group(1)) >= 1) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the batch never reached the paused server: " + admin.sync().info("clients"));
      }
      Thread.sleep(5);
    }
  }

  private static void assertEachEventOnceInOrder(List<RedisSubscriber.Received> received) throws Exception {
    Map<String, List<Integer>> byChannel = new HashMap<>();
    for (RedisSubscriber.Received message : received) {
      JsonNode json = JSON.readTree(message.body());
      assertThat(json.get("event").asText()).isEqualTo("Step");
      byChannel.computeIfAbsent(message.channel(), c -> new ArrayList<>()).add(json.get("data").get("seq").asInt());
    }
    assertThat(received).as("messages received").hasSize(EVENTS);
    assertThat(byChannel).containsOnlyKeys("batch.0", "batch.1", "batch.2", "batch.3");
    for (int room = 0; room < 4; room++) {
      int first = room;
      assertThat(byChannel.get("batch." + room))
          .containsExactlyElementsOf(IntStream.iterate(first, i -> i < EVENTS, i -> i + 4).boxed().toList());
    }
  }
}
