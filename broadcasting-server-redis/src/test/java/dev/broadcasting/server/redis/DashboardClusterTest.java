package dev.broadcasting.server.redis;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.broadcasting.redis.RedisServer;
import dev.broadcasting.server.App;
import dev.broadcasting.server.BroadcastServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The dashboard of each node of a cluster (two nodes on one real redis-server, started afresh for
 * each test) shows what is connected to the whole cluster, and logs the events other nodes published.
 */
class DashboardClusterTest {
  private static final String KEY = "dash-key";
  private static final String SECRET = "dash-secret";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private RedisServer redis;
  private static final List<BroadcastServer> nodes = new ArrayList<>();
  private static final List<Socket> sockets = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    redis = RedisServer.start();
    for (int i = 0; i < 2; i++) {
      nodes.add(BroadcastServer.builder().host("127.0.0.1").port(0)
          .app(App.builder("1", KEY, SECRET).build())
          .backplane(RedisBackplane.builder(redis.uri()).nodeId("node" + i).build())
          .dashboard().build().start());
    }
  }

  @AfterEach
  void stop() {
    sockets.forEach(socket -> socket.ws.abort());
    sockets.clear();
    nodes.forEach(BroadcastServer::close);
    nodes.clear();
    redis.stop();
  }

  @Test
  void channelsCountsAndMembersAnswerForTheWholeCluster() throws Exception {
    Socket a = Socket.open(0);
    a.subscribe("news", null);
    Socket b = Socket.open(1);
    b.subscribe("news", null);
    Socket c = Socket.open(1);
    c.subscribe("presence-room", "{\"user_id\":\"carol\"}");
    Socket d = Socket.open(0);
    d.subscribe("presence-room", "{\"user_id\":\"dave\"}");
    // only on node 1: node 0's own state would count 2 channels
    Socket.open(1).subscribe("solo", null);
    for (int node = 0; node < 2; node++) {
      String session = login(node);
      assertThat(get(node, "/dashboard/api/apps/1/channels", session).toString()).isEqualTo(
          "{\"channels\":[{\"name\":\"news\",\"subscriptions\":2,\"users\":0},"
              + "{\"name\":\"presence-room\",\"subscriptions\":2,\"users\":2},"
              + "{\"name\":\"solo\",\"subscriptions\":1,\"users\":0}],\"total\":3}");
      JsonNode members = get(node, "/dashboard/api/apps/1/channels/presence-room/members", session);
      assertThat(JSON.convertValue(members.get("ids"), List.class)).containsExactlyInAnyOrder("carol", "dave");
      assertThat(members.get("count").asInt()).isEqualTo(2);
    }
  }

  @Test
  void eventsPublishedOnAnotherNodeAreLoggedAsRelayed() throws Exception {
    Socket listener = Socket.open(1);
    listener.subscribe("orders", null);
    String session0 = login(0);
    HttpResponse<String> sent = HTTP.send(HttpRequest.newBuilder(base(0, "/dashboard/api/apps/1/events"))
        .header("Cookie", session0).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"channel\":\"orders\",\"name\":\"shipped\",\"data\":\"{\\\"id\\\":7}\"}"))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertThat(sent.statusCode()).as(sent.body()).isEqualTo(200);
    listener.await(frame -> frame.path("event").asText().equals("shipped"));

    JsonNode here = get(0, "/dashboard/api/apps/1/log?kind=published&channel=orders", session0);
    assertThat(here).hasSize(1);
    assertThat(here.get(0).has("detail")).isFalse();
    // node 1 hands the event to its sockets before it logs it: the log may lag the frame a moment
    String session1 = login(1);
    JsonNode there = get(1, "/dashboard/api/apps/1/log?kind=published&channel=orders", session1);
    for (long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        there.isEmpty() && System.nanoTime() < deadline; ) {
      Thread.sleep(20);
      there = get(1, "/dashboard/api/apps/1/log?kind=published&channel=orders", session1);
    }
    assertThat(there).hasSize(1);
    assertThat(there.get(0).path("name").asText()).isEqualTo("shipped");
    assertThat(there.get(0).path("bytes").asInt()).isEqualTo("{\"id\":7}".length());
    assertThat(there.get(0).path("detail").asText()).isEqualTo("relayed from another node");
  }

  @Test
  void answers503WithTheReasonWhileTheSharedStateIsOutOfReach() throws Exception {
    Socket.open(0).subscribe("news", null);
    String session = login(0);
    redis.kill();
    HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(base(0, "/dashboard/api/apps/1/channels"))
        .header("Cookie", session).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(answer.statusCode()).isEqualTo(503);
    assertThat(JSON.readTree(answer.body()).path("error").asText()).startsWith("The cluster did not answer");
  }

  private static String login(int node) throws Exception {
    HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(base(node, "/dashboard/login"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"user\":\"" + KEY + "\",\"password\":\"" + SECRET + "\"}"))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
    String cookie = answer.headers().firstValue("set-cookie").orElseThrow();
    return cookie.substring(0, cookie.indexOf(';'));
  }

  private static JsonNode get(int node, String path, String session) throws Exception {
    HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(base(node, path)).header("Cookie", session).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
    return JSON.readTree(answer.body());
  }

  private static URI base(int node, String path) {
    return URI.create("http://127.0.0.1:" + nodes.get(node).port() + path);
  }

  /** A Pusher protocol client over the JDK's WebSocket, signing its own subscriptions. */
  private static final class Socket implements WebSocket.Listener {
    final BlockingQueue<JsonNode> frames = new LinkedBlockingQueue<>();
    private final StringBuilder partial = new StringBuilder();
    WebSocket ws;
    String socketId;

    static Socket open(int node) throws Exception {
      Socket socket = new Socket();
      socket.ws = HTTP.newWebSocketBuilder().buildAsync(URI.create("ws://127.0.0.1:" + nodes.get(node).port()
          + "/app/" + KEY + "?protocol=7&client=java&version=1"), socket).get(10, TimeUnit.SECONDS);
      sockets.add(socket);
      JsonNode established = socket.await(frame -> frame.path("event").asText().equals("pusher:connection_established"));
      socket.socketId = JSON.readTree(established.path("data").asText()).path("socket_id").asText();
      return socket;
    }

    void subscribe(String channel, String channelData) throws Exception {
      var data = JSON.createObjectNode().put("channel", channel);
      if (channelData != null) {
        data.put("auth", KEY + ":" + hmac(socketId + ":" + channel + ":" + channelData)).put("channel_data", channelData);
      }
      ws.sendText(JSON.writeValueAsString(JSON.createObjectNode().put("event", "pusher:subscribe").set("data", data)), true);
      await(frame -> frame.path("event").asText().equals("pusher_internal:subscription_succeeded")
          && frame.path("channel").asText().equals(channel));
    }

    JsonNode await(Predicate<JsonNode> wanted) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (true) {
        JsonNode frame = frames.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        assertThat(frame).as("a wanted frame within 10 s").isNotNull();
        if (wanted.test(frame)) {
          return frame;
        }
      }
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        try {
          frames.add(JSON.readTree(partial.toString()));
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
        partial.setLength(0);
      }
      webSocket.request(1);
      return null;
    }

    private static String hmac(String text) throws Exception {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
    }
  }
}
