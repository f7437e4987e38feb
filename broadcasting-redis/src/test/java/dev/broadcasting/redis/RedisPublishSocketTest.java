package dev.broadcasting.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.broadcasting.BroadcastException;
import dev.broadcasting.Channel;
import dev.broadcasting.spi.BroadcastMessage;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The driver with {@code publishSocket(true)}: its publishes preformatted on a socket of its own,
 * against a real redis-server: the bytes of one write, what subscribers get, a server that dies
 * and comes back, a password and a database.
 */
class RedisPublishSocketTest {
  private static BroadcastMessage tick(String channel, int seq) {
    return BroadcastMessage.of("Tick", List.of(new Channel(channel)), "{\"seq\":" + seq + "}");
  }

  private static String resp(String... parts) {
    StringBuilder out = new StringBuilder("*").append(parts.length).append("\r\n");
    for (String part : parts) {
      out.append('$').append(part.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(part).append("\r\n");
    }
    return out.toString();
  }

  private static void allOf(List<CompletableFuture<Void>> sent) throws Exception {
    CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
  }

  @Test
  void aBatchIsOneWriteOfPreformattedCommandsAndArrivesInOrder() throws Exception {
    try (RedisServer server = RedisServer.start();
        RedisSubscriber subscriber = RedisSubscriber.pattern(server.port(), "*");
        GatedProxy proxy = new GatedProxy(server.port());
        RedisBroadcastDriver driver = RedisBroadcastDriver.builder().uri("redis://127.0.0.1:" + proxy.port())
            .prefix("p_").publishSocket(true).build()) {
      List<BroadcastMessage> batch = new ArrayList<>();
      StringBuilder wire = new StringBuilder();
      List<String> expected = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        String body = "{\"event\":\"Tick\",\"data\":{\"seq\":" + i + "},\"socket\":null}";
        if (i == 20) {
          batch.add(BroadcastMessage.of("Tick", List.of(new Channel("a"), new Channel("b")), "{\"seq\":20}"));
          wire.append(resp("EVAL", RedisBroadcastDriver.PUBLISH_BATCH, "0", "publish", "2", body, "p_a", "p_b"));
          expected.add("p_a " + body);
          expected.add("p_b " + body);
        } else {
          String channel = "room." + (i % 3);
          batch.add(tick(channel, i));
          wire.append(resp("PUBLISH", "p_" + channel, body));
          expected.add("p_" + channel + " " + body);
        }
      }
      proxy.recordReads();

      allOf(driver.publishBatch(batch));

      assertThat(proxy.readsFromClient()).extracting(read -> new String(read, StandardCharsets.UTF_8))
          .containsExactly(wire.toString());
      assertThat(subscriber.settle(server.port())).extracting(r -> r.channel() + " " + r.text())
          .containsExactlyElementsOf(expected);
    }
  }

  @Test
  void aServerThatDiesFailsTheUnansweredAsRetryableFencesTheirChannelAndTheNextPublishReconnects() throws Exception {
    try (RedisServer server = RedisServer.start();
        RedisSubscriber subscriber = RedisSubscriber.pattern(server.port(), "*");
        RedisBroadcastDriver driver = RedisBroadcastDriver.builder().uri(server.uri()).publishSocket(true).build()) {
      allOf(driver.publishBatch(List.of(tick("orders", 0))));
      // Redis answers the publisher and writes to the subscriber in one turn of its loop, in either
      // order: killed right after the answer, it may not have written the message yet
      assertThat(subscriber.await(1, Duration.ofSeconds(10))).hasSize(1);
      server.kill();

      BroadcastMessage lost = tick("orders", 1);
      Throwable failure = catchThrowable(() -> driver.publish(lost).get(10, TimeUnit.SECONDS));
      assertThat(failure.getCause()).isInstanceOf(BroadcastException.class);
      assertThat(((BroadcastException) failure.getCause()).isRetryable()).isTrue();
      assertThat(failure.getCause().getMessage()).contains("127.0.0.1:" + server.port());

      // while Redis is down, a later event on the channel fails too (refused at connect, or held back)
      Throwable overtaking = catchThrowable(() -> driver.publish(tick("orders", 2)).get(10, TimeUnit.SECONDS));
      assertThat(((BroadcastException) overtaking.getCause()).isRetryable()).isTrue();
      server.startAgain();
      RedisSubscriber.awaitResubscribed(server.port());
      // as core does: sent again while the new connection is being opened (fails at once, retryable)
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (driver.publish(lost).handle((ok, e) -> e).get(5, TimeUnit.SECONDS) != null) {
        assertThat(System.nanoTime()).as("reconnected within 5 s").isLessThan(deadline);
      }
      allOf(driver.publishBatch(List.of(tick("orders", 2))));

      assertThat(subscriber.settle(server.port())).extracting(RedisSubscriber.Received::text).containsExactly(
          "{\"event\":\"Tick\",\"data\":{\"seq\":0},\"socket\":null}",
          "{\"event\":\"Tick\",\"data\":{\"seq\":1},\"socket\":null}",
          "{\"event\":\"Tick\",\"data\":{\"seq\":2},\"socket\":null}");
    }
  }

  /**
   * {@link RedisOrderFenceTest}'s scenario on the socket: a publish that fails on a cut connection
   * fences its channel, so the channel's next event, handed over once Redis can be reached again,
   * is held back instead of overtaking the retry; other channels go on.
   */
  @Test
  void aPublishThatFailsOnACutConnectionHoldsItsChannelUntilItIsSentAgain() throws Exception {
    try (RedisServer server = RedisServer.start();
        GatedProxy proxy = new GatedProxy(server.port());
        RedisSubscriber subscriber = RedisSubscriber.pattern(server.port(), "*");
        RedisBroadcastDriver driver = RedisBroadcastDriver.builder().uri("redis://127.0.0.1:" + proxy.port())
            .publishSocket(true).build()) {
      assertThat(driver.keepsOrder()).isTrue();
      BroadcastMessage refused = tick("room", 2);
      BroadcastMessage next = tick("room", 3);
      driver.publish(tick("room", 1)).get(5, TimeUnit.SECONDS);

      proxy.shut();
      RedisOrderFenceTest.assertRetryable(driver.publish(refused), "is unreachable");
      proxy.open();
      // another channel goes through once the connect back-off lets a new attempt be made
      BroadcastMessage elsewhere = tick("lobby", 1);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (driver.publish(elsewhere).handle((ok, e) -> e).get(5, TimeUnit.SECONDS) != null) {
        assertThat(System.nanoTime()).as("reconnected within 5 s").isLessThan(deadline);
      }

      // connected again: without the fence this one would be written now, ahead of the retry of 2
      RedisOrderFenceTest.assertRetryable(driver.publish(next), "Held back to keep the order of channel 'room'");
      RedisOrderFenceTest.resendInOrder(driver, refused, next, subscriber, server.port());
    }
  }

  @Test
  void authenticatesSelectsTheDatabaseAndRefusesAWrongPasswordAtStartUp() throws Exception {
    try (RedisServer server = RedisServer.start("--requirepass", "right-horse-battery")) {
      String address = "127.0.0.1:" + server.port();
      Throwable wrong = catchThrowable(() -> RedisBroadcastDriver.builder()
          .uri("redis://:wrong-staple-secret@" + address).publishSocket(true).build());
      Throwable missing = catchThrowable(() -> RedisBroadcastDriver.builder()
          .uri("redis://" + address).publishSocket(true).build());

      assertThat(wrong).isInstanceOf(BroadcastException.class).hasMessageStartingWith("Cannot start the redis "
          + "broadcast driver: Redis at redis://" + address + " refused the password: authentication failed (WRONGPASS")
          .hasMessageNotContaining("wrong-staple-secret");
      assertThat(missing).isInstanceOf(BroadcastException.class).hasMessageStartingWith("Cannot start the redis "
          + "broadcast driver: Redis at redis://" + address + " requires a password and none was given");
      assertThat(((BroadcastException) wrong).isRetryable()).isFalse();
      assertThat(((BroadcastException) missing).isRetryable()).isFalse();

      try (RedisBroadcastDriver driver = RedisBroadcastDriver.builder()
          .uri("redis://:right-horse-battery@" + address + "/3").publishSocket(true).build()) {
        allOf(driver.publishBatch(List.of(tick("db3", 1))));
      }
      RedisClient admin = RedisClient.create(RedisURI.create("redis://:right-horse-battery@" + address));
      try (var connection = admin.connect()) {
        String stats = connection.sync().info("commandstats");
        assertThat(stats).contains("cmdstat_select:calls=1,").contains("cmdstat_publish:calls=1,");
      } finally {
        admin.shutdown();
      }
    }
  }

  @Test
  void shardedPublishingSendsSpublishAndTheScriptWithSpublishToAStandaloneRedis() throws Exception {
    try (RedisServer server = RedisServer.start();
        RedisSubscriber subscriber = RedisSubscriber.sharded(server.port(), "room.1", "room.2");
        GatedProxy proxy = new GatedProxy(server.port());
        RedisBroadcastDriver driver = RedisBroadcastDriver.builder().uri("redis://127.0.0.1:" + proxy.port())
            .shardedPublish(true).publishSocket(true).build()) {
      String one = "{\"event\":\"Tick\",\"data\":{\"seq\":1},\"socket\":null}";
      String two = "{\"event\":\"Tick\",\"data\":{\"seq\":2},\"socket\":null}";
      proxy.recordReads();

      allOf(driver.publishBatch(List.of(tick("room.1", 1),
          BroadcastMessage.of("Tick", List.of(new Channel("room.1"), new Channel("room.2")), "{\"seq\":2}"))));

      assertThat(proxy.readsFromClient()).extracting(read -> new String(read, StandardCharsets.UTF_8)).containsExactly(
          resp("SPUBLISH", "room.1", one)
              + resp("EVAL", RedisBroadcastDriver.PUBLISH_BATCH, "0", "spublish", "2", two, "room.1", "room.2"));
      assertThat(subscriber.await(3, java.time.Duration.ofSeconds(10)))
          .extracting(r -> r.channel() + " " + r.text()).containsExactly("room.1 " + one, "room.1 " + two,
              "room.2 " + two);
    }
  }

  @Test
  void saysThatAClusterAndAnApplicationsClientPublishThroughLettuce() {
    assertThatThrownBy(() -> RedisBroadcastDriver.builder().cluster("redis://127.0.0.1:7000").publishSocket(true)
        .build()).isInstanceOf(IllegalStateException.class).hasMessage("publishSocket(true) works with uri(...) only, "
            + "not with cluster(cluster 127.0.0.1:7000): a cluster and an application's lettuce client publish "
            + "through lettuce; leave publishSocket unset");
    RedisClient client = RedisClient.create();
    try {
      assertThatThrownBy(() -> RedisBroadcastDriver.builder().client(client, RedisURI.create("redis://127.0.0.1:6379"))
          .publishSocket(true).build()).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("not with client(redis://127.0.0.1:6379)");
      assertThatThrownBy(() -> RedisBroadcastDriver.builder().client(client, RedisURI.create("redis://127.0.0.1:6379"))
          .sslOptions(io.lettuce.core.SslOptions.create()).build()).isInstanceOf(IllegalStateException.class)
          .hasMessage("sslOptions(...) is for the connections the driver makes; give the application's lettuce "
              + "client its SslOptions in its ClientOptions instead (now client(redis://127.0.0.1:6379))");
    } finally {
      client.shutdown();
    }
  }
}
