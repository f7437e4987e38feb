package dev.broadcasting.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.broadcasting.AuthResponse;
import dev.broadcasting.Channel;
import dev.broadcasting.ChannelAuthorizer;
import dev.broadcasting.PresenceChannel;
import dev.broadcasting.PrivateChannel;
import dev.broadcasting.spi.BroadcastMessage;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The exact bytes a Laravel relay reads, as a real subscriber receives them, and how they get
 * there: one command per event whatever its channel count, on one connection for all events.
 */
class RedisWireFormatTest {
  /** The driver's builder (on its own publish socket); a subclass runs these tests through lettuce. */
  RedisBroadcastDriver.Builder driverBuilder() {
    return RedisBroadcastDriver.builder();
  }

  private static RedisServer server;
  private static RedisSubscriber subscriber;
  private static RedisClient admin;
  private static StatefulRedisConnection<String, String> adminConnection;
  private RedisBroadcastDriver driver;

  @BeforeAll
  static void startRedis() throws Exception {
    server = RedisServer.start();
    subscriber = RedisSubscriber.pattern(server.port(), "*");
    admin = RedisClient.create(RedisURI.create("127.0.0.1", server.port()));
    adminConnection = admin.connect();
  }

  @AfterAll
  static void stopRedis() {
    if (adminConnection != null) {
      adminConnection.close();
      admin.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
    if (subscriber != null) {
      subscriber.close();
    }
    if (server != null) {
      server.close();
    }
  }

  @BeforeEach
  void clear() {
    subscriber.clear();
    adminConnection.sync().configResetstat();
  }

  @AfterEach
  void closeDriver() {
    if (driver != null) {
      driver.close();
    }
  }

  private void send(RedisBroadcastDriver driver, BroadcastMessage message) throws Exception {
    driver.publish(message).get(10, TimeUnit.SECONDS);
  }

  @Test
  void writesEventDataAndNullSocketExactlyAsLaravel() throws Exception {
    driver = driverBuilder().uri(server.uri()).build();
    send(driver, BroadcastMessage.of("OrderShipped", List.of(new PrivateChannel("orders.42")),
        "{\"id\":42,\"carrier\":\"UPS\",\"items\":[1,2.5,null]}"));

    List<RedisSubscriber.Received> got = subscriber.settle(server.port());
    assertThat(got).extracting(RedisSubscriber.Received::channel).containsExactly("private-orders.42");
    assertThat(got.get(0).text())
        .isEqualTo("{\"event\":\"OrderShipped\",\"data\":{\"id\":42,\"carrier\":\"UPS\",\"items\":[1,2.5,null]},"
            + "\"socket\":null}");
  }

  /**
   * Laravel apps on redis name channels {@code private-chat:1} or {@code orders/1}; Laravel's
   * RedisBroadcaster publishes them as they stand and laravel-echo-server delivers them, so this
   * driver does too, and its auth call allows them.
   */
  @Test
  void carriesLaravelChannelNamesAsTheyStandAndAuthorizesThem() throws Exception {
    driver = driverBuilder().uri(server.uri()).build();
    send(driver, BroadcastMessage.of("MessageSent",
        List.of(new PrivateChannel("chat:1"), new Channel("orders/1"), new PresenceChannel("room:5")), "{\"id\":1}"));

    List<RedisSubscriber.Received> got = subscriber.settle(server.port());
    assertThat(got).extracting(RedisSubscriber.Received::channel)
        .containsExactly("private-chat:1", "orders/1", "presence-room:5");
    assertThat(got).extracting(RedisSubscriber.Received::text)
        .containsOnly("{\"event\":\"MessageSent\",\"data\":{\"id\":1},\"socket\":null}");

    ChannelAuthorizer<String> channels = ChannelAuthorizer.<String>create(driver.authSigner())
        .channel("chat:{id}", (user, params) -> params.get("id").equals("1"));
    assertThat(channels.authorizeForm("channel_name=private-chat%3A1", "ann")).isEqualTo(new AuthResponse(200, "true"));
    assertThat(channels.authorizeForm("channel_name=private-chat%3A2", "ann").status()).isEqualTo(403);
  }

  @Test
  void embedsThePayloadByteForByteAndEscapesTheEventName() throws Exception {
    driver = driverBuilder().uri(server.uri()).build();
    // unusual but valid JSON: spacing, escapes and big numbers must survive untouched
    String payload = "{ \"text\" : \"h\\u00e9llo \\\"w\u00f6rld\\\" \u2713 \ud83c\udf89\\n\", \"big\": 12345678901234567890123 }";
    send(driver, BroadcastMessage.of("chat.\"quoted\"\\ \u00e9v\u00e9nement", List.of(new Channel("room.1")), payload));

    List<RedisSubscriber.Received> got = subscriber.settle(server.port());
    assertThat(got).hasSize(1);
    assertThat(got.get(0).body()).isEqualTo(RedisSubscriber.bytes(
        "{\"event\":\"chat.\\\"quoted\\\"\\\\ \u00e9v\u00e9nement\",\"data\":" + payload + ",\"socket\":null}"));
  }

  @Test
  void carriesTheSocketIdOfToOthers() throws Exception {
    driver = driverBuilder().uri(server.uri()).build();
    send(driver, BroadcastMessage.of("Typing", List.of(new PresenceChannel("room.7")), "{}", "1234.5678", null));

    List<RedisSubscriber.Received> got = subscriber.settle(server.port());
    assertThat(got).extracting(RedisSubscriber.Received::channel, RedisSubscriber.Received::text).containsExactly(
        org.assertj.core.groups.Tuple.tuple("presence-room.7", "{\"event\":\"Typing\",\"data\":{},\"socket\":\"1234.5678\"}"));
  }

  @Test
  void putsThePrefixBeforeEveryChannel() throws Exception {
    driver = driverBuilder().uri(server.uri()).prefix("shop_database_").build();
    send(driver, BroadcastMessage.of("Paid", List.of(new Channel("orders"), new PrivateChannel("orders.9")), "{\"n\":1}"));

    List<RedisSubscriber.Received> got = subscriber.settle(server.port());
    assertThat(got).extracting(RedisSubscriber.Received::channel)
        .containsExactlyInAnyOrder("shop_database_orders", "shop_database_private-orders.9");
  }

  @Test
  void publishesAnEventOnSeveralChannelsWithOneCommand() throws Exception {
    driver = driverBuilder().uri(server.uri()).build();
    List<Channel> channels = List.of(new Channel("a"), new PrivateChannel("b"), new PresenceChannel("c"),
        new Channel("d.1"), new Channel("d.2"));
    send(driver, BroadcastMessage.of("Fanned", channels, "{\"x\":[1]}", "9.9", null));

    List<RedisSubscriber.Received> got = subscriber.settle(server.port());
    assertThat(got).extracting(RedisSubscriber.Received::channel)
        .containsExactlyInAnyOrder("a", "private-b", "presence-c", "d.1", "d.2");
    assertThat(got).extracting(RedisSubscriber.Received::text)
        .containsOnly("{\"event\":\"Fanned\",\"data\":{\"x\":[1]},\"socket\":\"9.9\"}");
    // one EVAL, the PUBLISHes ran inside it on the server; the settle marker is the one PUBLISH call
    assertThat(calls("eval")).isEqualTo(1);
  }

  @Test
  void sharesOneConnectionAcrossAllEvents() throws Exception {
    driver = driverBuilder().uri(server.uri()).build();
    long before = stat("total_connections_received");
    List<CompletableFuture<Void>> sent = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      sent.add(driver.publish(BroadcastMessage.of("N", List.of(new Channel("n." + (i % 5))), "{\"i\":" + i + "}")));
    }
    CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get(20, TimeUnit.SECONDS);

    assertThat(stat("total_connections_received")).isEqualTo(before);
    assertThat(subscriber.settle(server.port())).hasSize(500);
    assertThat(calls("publish")).isEqualTo(500 + 1);
  }

  @Test
  void coalescedEventsGoOutInOneWriteOfPipelinedCommands() throws Exception {
    try (GatedProxy proxy = new GatedProxy(server.port())) {
      driver = driverBuilder().uri("redis://127.0.0.1:" + proxy.port()).build();
      send(driver, BroadcastMessage.of("Warm", List.of(new Channel("warm")), "{}")); // the handshake is over
      List<BroadcastMessage> batch = new ArrayList<>();
      StringBuilder wire = new StringBuilder();
      for (int i = 0; i < 64; i++) {
        String payload = "{\"seq\":" + i + "}";
        String body = "{\"event\":\"Tick\",\"data\":" + payload + ",\"socket\":null}";
        if (i == 32) { // an event on two channels is a script call, in the same write
          batch.add(BroadcastMessage.of("Tick", List.of(new Channel("room.a"), new Channel("room.b")), payload));
          wire.append(resp("EVAL", RedisBroadcastDriver.PUBLISH_BATCH, "0", "publish", "2", body, "room.a", "room.b"));
        } else {
          String channel = "room." + (i % 4);
          batch.add(BroadcastMessage.of("Tick", List.of(new Channel(channel)), payload));
          wire.append(resp("PUBLISH", channel, body));
        }
      }
      subscriber.settle(server.port()); // the warm-up message is in, before the count starts
      subscriber.clear();
      adminConnection.sync().configResetstat();
      proxy.recordReads();

      CompletableFuture.allOf(driver.publishBatch(batch).toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);

      assertThat(proxy.readsFromClient()).extracting(read -> new String(read, StandardCharsets.UTF_8))
          .containsExactly(wire.toString());
      assertThat(calls("eval")).isEqualTo(1);
      assertThat(calls("publish")).isEqualTo(63 + 2);
      assertThat(subscriber.settle(server.port())).hasSize(65);
    }
  }

  /** A command as RESP puts it on the wire: an array of bulk strings. */
  private static String resp(String... parts) {
    StringBuilder out = new StringBuilder("*").append(parts.length).append("\r\n");
    for (String part : parts) {
      out.append('$').append(part.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(part).append("\r\n");
    }
    return out.toString();
  }

  @Test
  void answersChannelAuthAsLaravelEchoServerExpects() {
    driver = driverBuilder().uri(server.uri()).lazyConnect().build();
    assertThat(driver.authSigner().signPrivate("1.2", "private-chat.1")).isEqualTo("true");
    assertThat(driver.authSigner().signPresence("1.2", "presence-chat.1", "{\"user_id\":1,\"user_info\":{\"name\":\"Ann\"}}"))
        .isEqualTo("{\"channel_data\":{\"user_id\":1,\"user_info\":{\"name\":\"Ann\"}}}");
  }

  private long calls(String command) {
    Matcher m = Pattern.compile("cmdstat_" + command + ":calls=(\\d+)").matcher(adminConnection.sync().info("commandstats"));
    return m.find() ? Long.parseLong(m.group(1)) : 0;
  }

  private long stat(String name) {
    Matcher m = Pattern.compile(name + ":(\\d+)").matcher(adminConnection.sync().info("stats"));
    assertThat(m.find()).as(name + " in INFO stats").isTrue();
    return Long.parseLong(m.group(1));
  }
}
