package dev.broadcasting.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.broadcasting.Channel;
import dev.broadcasting.spi.BroadcastDriver;
import dev.broadcasting.spi.BroadcastMessage;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ConnectionTest {
  private BroadcastServer server;
  private BroadcastDriver driver;

  @BeforeEach
  void start() {
    server = BroadcastServer.builder().host("127.0.0.1").port(0)
        .app(App.builder("1", "key-1", "secret-1").maxConnections(2).build())
        .app(App.builder("2", "key-2", "secret-2").allowedOrigins("https://*.example.com").build())
        .build().start();
    driver = server.driver("1");
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void answersConnectionEstablishedWithARandomSocketIdAndTheActivityTimeout() throws Exception {
    try (WsClient first = WsClient.connect(server.port(), "/app/key-1?protocol=7&client=js&version=8.4.0");
        WsClient second = WsClient.established(server.port(), "key-1")) {
      JsonNode established = first.next("pusher:connection_established");
      JsonNode data = WsClient.JSON.readTree(established.get("data").asText());
      assertThat(data.get("socket_id").asText()).matches("\\d+\\.\\d+").isNotEqualTo(second.socketId());
      assertThat(data.get("activity_timeout").asInt()).isEqualTo(120);
      assertThat(data.size()).isEqualTo(2);
    }
  }

  @Test
  void refusesAnUnknownKeyWith4001() throws Exception {
    try (WsClient client = WsClient.connect(server.port(), "/app/nope?protocol=7")) {
      JsonNode error = client.next("pusher:error");
      assertThat(error.get("data").get("code").asInt()).isEqualTo(4001);
      assertThat(error.get("data").get("message").asText()).contains("nope");
      assertThat(client.awaitClose()).isEqualTo(4001);
    }
  }

  @Test
  void refusesAVeryLongUnknownKeyWithACloseFrameClientsAccept() throws Exception {
    String key = "ключ".repeat(100);
    try (WsClient client = WsClient.connect(server.port(), "/app/" + java.net.URLEncoder.encode(key, "UTF-8") + "?protocol=7")) {
      assertThat(client.next("pusher:error").get("data").get("message").asText()).contains(key);
      assertThat(client.awaitClose()).isEqualTo(4001);
    }
  }

  @Test
  void closesWith1009AMessageOverMaxMessageSize() throws Exception {
    try (BroadcastServer small = BroadcastServer.builder().host("127.0.0.1").port(0).maxMessageSize(1024)
        .app(App.builder("1", "key-1", "secret-1").build()).build().start();
        WsClient client = WsClient.established(small.port(), "key-1")) {
      client.send("{\"event\":\"pusher:ping\",\"data\":\"" + "x".repeat(900) + "\"}");
      assertThat(client.next("pusher:pong")).isNotNull();
      client.send("{\"event\":\"pusher:ping\",\"data\":\"" + "x".repeat(1100) + "\"}");
      assertThat(client.awaitClose()).isEqualTo(1009);
    }
  }

  @Test
  void closesWith1009AMessageOverMaxMessageSizeSentInFragments() throws Exception {
    try (BroadcastServer small = BroadcastServer.builder().host("127.0.0.1").port(0).maxMessageSize(1024)
        .app(App.builder("1", "key-1", "secret-1").build()).build().start();
        RawClient client = RawClient.connect(small.port(), "/app/key-1?protocol=7")) {
      assertThat(client.read().get("event").asText()).isEqualTo("pusher:connection_established");
      byte[] quarter = "x".repeat(400).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
      client.sendFrame(false, 1, quarter);
      client.sendFrame(false, 0, quarter);
      client.sendFrame(false, 0, quarter);
      client.sendFrame(true, 0, quarter);
      assertThat(client.awaitCloseCode()).isEqualTo(1009);
    }
  }

  @Test
  void closesWith1007ATextFrameThatIsNotUtf8() throws Exception {
    try (RawClient client = RawClient.connect(server.port(), "/app/key-1?protocol=7")) {
      assertThat(client.read().get("event").asText()).isEqualTo("pusher:connection_established");
      client.sendFrame(true, 1, new byte[] {'{', '"', (byte) 0xff, (byte) 0xfe, '"', '}'});
      assertThat(client.awaitCloseCode()).isEqualTo(1007);
    }
  }

  @Test
  void leavesTheCodeOutOfAnErrorThatHasNone() throws Exception {
    try (RawClient client = RawClient.connect(server.port(), "/app/key-1?protocol=7")) {
      client.read();
      client.sendAll("not json");
      assertThat(client.read().toString()).isEqualTo(
          "{\"event\":\"pusher:error\",\"data\":{\"message\":\"Messages must be JSON objects with an \\\"event\\\" field\"}}");
    }
  }

  @Test
  void tellsClientsToReconnectWhenTheServerCloses() throws Exception {
    try (WsClient client = WsClient.established(server.port(), "key-1")) {
      server.close();
      assertThat(client.awaitClose()).isEqualTo(4200);
    }
  }

  @Test
  void refusesAnotherProtocolVersionWith4007() throws Exception {
    try (WsClient client = WsClient.connect(server.port(), "/app/key-1?protocol=6")) {
      assertThat(client.next("pusher:error").get("data").get("code").asInt()).isEqualTo(4007);
      assertThat(client.awaitClose()).isEqualTo(4007);
    }
  }

  @Test
  void refusesConnectionsOverTheAppsLimitWith4004AndCountsClosedOnesOut() throws Exception {
    WsClient first = WsClient.established(server.port(), "key-1");
    try (WsClient second = WsClient.established(server.port(), "key-1");
        WsClient third = WsClient.connect(server.port(), "/app/key-1?protocol=7")) {
      assertThat(third.next("pusher:error").get("data").get("code").asInt()).isEqualTo(4004);
      assertThat(third.awaitClose()).isEqualTo(4004);
      first.close();
      awaitConnections("1", 1);
      try (WsClient fourth = WsClient.established(server.port(), "key-1")) {
        assertThat(server.connectionCount("1")).isEqualTo(2);
      }
    }
  }

  @Test
  void refusesOriginsTheAppDoesNotAllowWith4009() throws Exception {
    try (WsClient allowed = WsClient.connect(server.port(), "/app/key-2?protocol=7", "https://shop.example.com");
        WsClient refused = WsClient.connect(server.port(), "/app/key-2?protocol=7", "https://evil.test")) {
      assertThat(allowed.next("pusher:connection_established")).isNotNull();
      assertThat(refused.next("pusher:error").get("data").get("code").asInt()).isEqualTo(4009);
      assertThat(refused.awaitClose()).isEqualTo(4009);
    }
  }

  @Test
  void answersPingWithPong() throws Exception {
    try (WsClient client = WsClient.established(server.port(), "key-1")) {
      client.send("{\"event\":\"pusher:ping\",\"data\":{}}");
      assertThat(client.next("pusher:pong")).isNotNull();
    }
  }

  @Test
  void deliversPublicEventsToSubscribersOnlyAndLeavesOutTheExcludedSocket() throws Exception {
    try (WsClient a = WsClient.established(server.port(), "key-1");
        WsClient b = WsClient.established(server.port(), "key-1")) {
      a.subscribe("news", null, null);
      JsonNode ok = a.next("pusher_internal:subscription_succeeded");
      assertThat(ok.get("channel").asText()).isEqualTo("news");
      assertThat(ok.get("data").asText()).isEqualTo("{}");

      driver.publish(BroadcastMessage.of("Posted", List.of(new Channel("news")), "{\"id\":1,\"t\":\"ü\"}")).join();
      JsonNode event = a.next("Posted");
      assertThat(WsClient.JSON.writeValueAsString(event))
          .isEqualTo("{\"event\":\"Posted\",\"channel\":\"news\",\"data\":\"{\\\"id\\\":1,\\\"t\\\":\\\"ü\\\"}\"}");

      driver.publish(BroadcastMessage.of("Second", List.of(new Channel("news")), "{}", a.socketId(), null)).join();
      driver.publish(BroadcastMessage.of("Third", List.of(new Channel("news")), "{}")).join();
      assertThat(a.next(m -> m.has("channel"), "an event").get("event").asText()).isEqualTo("Third");
      assertThat(b.drain(200)).isEmpty();
    }
  }

  @Test
  void stopsDeliveringAfterUnsubscribe() throws Exception {
    try (WsClient a = WsClient.established(server.port(), "key-1")) {
      a.subscribe("news", null, null);
      a.next("pusher_internal:subscription_succeeded");
      a.send("{\"event\":\"pusher:unsubscribe\",\"data\":{\"channel\":\"news\"}}");
      a.send("{\"event\":\"pusher:ping\",\"data\":{}}");
      a.next("pusher:pong");
      driver.publish(BroadcastMessage.of("Gone", List.of(new Channel("news")), "{}")).join();
      a.send("{\"event\":\"pusher:ping\",\"data\":{}}");
      assertThat(a.next(m -> true, "a message").get("event").asText()).isEqualTo("pusher:pong");
    }
  }

  @Test
  void pingsASilentSocketAndClosesItWith4201WhenNoPongComes() throws Exception {
    try (BroadcastServer quick = BroadcastServer.builder().host("127.0.0.1").port(0)
        .activityTimeout(Duration.ofSeconds(1)).pongTimeout(Duration.ofSeconds(1))
        .app(App.builder("1", "key-1", "secret-1").build()).build().start();
        WsClient silent = WsClient.established(quick.port(), "key-1")) {
      assertThat(silent.next("pusher:ping")).isNotNull();
      assertThat(silent.awaitClose()).isEqualTo(4201);
      awaitConnections(quick, "1", 0);
    }
  }

  @Test
  void keepsASocketThatAnswersThePing() throws Exception {
    try (BroadcastServer quick = BroadcastServer.builder().host("127.0.0.1").port(0)
        .activityTimeout(Duration.ofSeconds(2)).pongTimeout(Duration.ofSeconds(2))
        .app(App.builder("1", "key-1", "secret-1").build()).build().start();
        WsClient alive = WsClient.established(quick.port(), "key-1")) {
      for (int i = 0; i < 2; i++) {
        alive.next("pusher:ping");
        alive.send("{\"event\":\"pusher:pong\",\"data\":{}}");
      }
      assertThat(alive.closeCode).isNotDone();
    }
  }

  private void awaitConnections(String appId, int expected) throws InterruptedException {
    awaitConnections(server, appId, expected);
  }

  static void awaitConnections(BroadcastServer server, String appId, int expected) throws InterruptedException {
    for (int i = 0; i < 200 && server.connectionCount(appId) != expected; i++) {
      Thread.sleep(25);
    }
    assertThat(server.connectionCount(appId)).isEqualTo(expected);
  }

  /** Waits until {@code channel} has {@code expected} subscribers, read back through the public API. */
  static void awaitSubscribers(BroadcastServer server, String channel, int expected) throws InterruptedException {
    for (int i = 0; i < 200 && server.subscriptionCount("1", channel) != expected; i++) {
      Thread.sleep(25);
    }
    assertThat(server.subscriptionCount("1", channel)).isEqualTo(expected);
  }
}
