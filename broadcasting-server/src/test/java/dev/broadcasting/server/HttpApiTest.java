package dev.broadcasting.server;

import static dev.broadcasting.server.TestSignatures.channelAuth;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The Pusher HTTP API, called with requests the test signs itself, as any Pusher server SDK would. */
class HttpApiTest {
  private static final String KEY = "278d425bdf160c739803";
  private static final String SECRET = "7ad3773142a6692b25b8";
  private static final HttpClient HTTP = WsClient.HTTP;

  private BroadcastServer server;
  private final List<WsClient> clients = new ArrayList<>();

  @BeforeEach
  void start() {
    server = BroadcastServer.builder().host("127.0.0.1").port(0)
        .app(App.builder("3", KEY, SECRET).build()).build().start();
  }

  @AfterEach
  void stop() {
    clients.forEach(WsClient::close);
    server.close();
  }

  private WsClient subscribed(String channel) throws Exception {
    WsClient client = WsClient.established(server.port(), KEY);
    clients.add(client);
    client.subscribe(channel, channel.startsWith("private-") ? channelAuth(KEY, SECRET, client.socketId(), channel, null) : null, null);
    client.next("pusher_internal:subscription_succeeded");
    return client;
  }

  /** One connection per user id given, each joined to {@code channel} as that user. */
  private void joinPresence(String channel, String... userIds) throws Exception {
    for (String user : userIds) {
      WsClient client = WsClient.established(server.port(), KEY);
      clients.add(client);
      String data = "{\"user_id\":\"" + user + "\"}";
      client.subscribe(channel, channelAuth(KEY, SECRET, client.socketId(), channel, data), data);
      client.next("pusher_internal:subscription_succeeded");
    }
  }

  /** Signs as the Pusher docs say: sorted lower-case params, METHOD\npath\nquery, hex HMAC-SHA256. */
  static URI signed(int port, String method, String path, Map<String, String> extra, String body,
      String secret, long timestamp) {
    return signed(port, KEY, method, path, extra, body, secret, timestamp);
  }

  static URI signed(int port, String key, String method, String path, Map<String, String> extra, String body,
      String secret, long timestamp) {
    Map<String, String> params = new TreeMap<>(extra);
    params.put("auth_key", key);
    params.put("auth_timestamp", Long.toString(timestamp));
    params.put("auth_version", "1.0");
    if (body != null) {
      params.put("body_md5", TestSignatures.md5Hex(body.getBytes(StandardCharsets.UTF_8)));
    }
    String query = params.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining("&"));
    String signature = TestSignatures.hmacHex(secret, method + "\n" + path + "\n" + query);
    String encoded = params.entrySet().stream()
        .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
        .collect(Collectors.joining("&"));
    return URI.create("http://127.0.0.1:" + port + path + "?" + encoded + "&auth_signature=" + signature);
  }

  private HttpResponse<String> post(String path, String body) throws Exception {
    return post(path, body, SECRET, now());
  }

  private HttpResponse<String> post(String path, String body, String secret, long timestamp) throws Exception {
    URI uri = signed(server.port(), "POST", path, Map.of(), body, secret, timestamp);
    return HTTP.send(HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> get(String path, Map<String, String> query) throws Exception {
    URI uri = signed(server.port(), "GET", path, query, null, SECRET, now());
    return HTTP.send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  private static long now() {
    return System.currentTimeMillis() / 1000;
  }

  private static String error(HttpResponse<String> response) throws Exception {
    return WsClient.JSON.readTree(response.body()).get("error").asText();
  }

  @Test
  void publishesASignedEventToEverySubscriberButTheExcludedSocket() throws Exception {
    WsClient a = subscribed("project-3");
    WsClient b = subscribed("private-project-3");
    WsClient c = subscribed("project-3");
    String body = "{\"name\":\"foo\",\"channels\":[\"project-3\",\"private-project-3\"],\"data\":\"{\\\"some\\\":\\\"data\\\"}\","
        + "\"socket_id\":\"" + c.socketId() + "\"}";
    HttpResponse<String> response = post("/apps/3/events", body);
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("{}");
    assertThat(response.headers().firstValue("content-type")).hasValue("application/json; charset=utf-8");
    assertThat(a.next("foo").toString()).isEqualTo("{\"event\":\"foo\",\"channel\":\"project-3\",\"data\":\"{\\\"some\\\":\\\"data\\\"}\"}");
    assertThat(b.next("foo").get("channel").asText()).isEqualTo("private-project-3");
    assertThat(c.drain(200)).isEmpty();
  }

  @Test
  void refusesAWrongSecretATamperedBodyAndAStaleTimestamp() throws Exception {
    String body = "{\"name\":\"foo\",\"channels\":[\"a\"],\"data\":\"{}\"}";
    HttpResponse<String> wrongSecret = post("/apps/3/events", body, "not-the-secret", now());
    assertThat(wrongSecret.statusCode()).isEqualTo(401);
    assertThat(error(wrongSecret)).startsWith("Invalid signature");

    URI uri = signed(server.port(), "POST", "/apps/3/events", Map.of(), body, SECRET, now());
    HttpResponse<String> tampered = HTTP.send(HttpRequest.newBuilder(uri)
        .POST(HttpRequest.BodyPublishers.ofString(body.replace("foo", "bar"))).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(tampered.statusCode()).isEqualTo(401);

    HttpResponse<String> stale = post("/apps/3/events", body, SECRET, now() - 700);
    assertThat(stale.statusCode()).isEqualTo(401);
    assertThat(error(stale)).contains("auth_timestamp").contains("600");
    assertThat(post("/apps/3/events", body, SECRET, now() - 500).statusCode()).isEqualTo(200);

    HttpResponse<String> unsigned = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
        + "/apps/3/channels")).GET().build(), HttpResponse.BodyHandlers.ofString());
    assertThat(unsigned.statusCode()).isEqualTo(401);
    assertThat(error(unsigned)).contains("auth_signature");
  }

  @Test
  void answersLimitsWithClear4xxErrors() throws Exception {
    String big = "{\"name\":\"e\",\"channels\":[\"a\"],\"data\":\"" + "x".repeat(10 * 1024 + 1) + "\"}";
    HttpResponse<String> tooBig = post("/apps/3/events", big);
    assertThat(tooBig.statusCode()).isEqualTo(413);
    assertThat(error(tooBig)).isEqualTo("data is 10241 bytes; this app allows 10240");

    String channels = java.util.stream.IntStream.range(0, 101).mapToObj(i -> "\"c" + i + "\"").collect(Collectors.joining(","));
    HttpResponse<String> tooMany = post("/apps/3/events", "{\"name\":\"e\",\"channels\":[" + channels + "],\"data\":\"{}\"}");
    assertThat(tooMany.statusCode()).isEqualTo(400);
    assertThat(error(tooMany)).contains("101 channels").contains("100");

    String events = java.util.stream.IntStream.range(0, 11)
        .mapToObj(i -> "{\"channel\":\"a\",\"name\":\"e\",\"data\":\"{}\"}").collect(Collectors.joining(","));
    HttpResponse<String> batch = post("/apps/3/batch_events", "{\"batch\":[" + events + "]}");
    assertThat(batch.statusCode()).isEqualTo(413);
    assertThat(error(batch)).contains("11 events").contains("10");

    HttpResponse<String> badChannel = post("/apps/3/events", "{\"name\":\"e\",\"channels\":[\"a b\"],\"data\":\"{}\"}");
    assertThat(badChannel.statusCode()).isEqualTo(400);
    assertThat(error(badChannel)).contains("a b");

    HttpResponse<String> hugeBody = post("/apps/3/events", "{\"name\":\"e\",\"channels\":[\"a\"],\"data\":\""
        + "x".repeat(1024 * 1024) + "\"}");
    assertThat(hugeBody.statusCode()).isEqualTo(413);
    assertThat(error(hugeBody)).contains("larger than 1048576 bytes");

    HttpResponse<String> noApp = post("/apps/9/events", "{}");
    assertThat(noApp.statusCode()).isEqualTo(404);
    assertThat(error(noApp)).contains("9");
  }

  @Test
  void publishesABatch() throws Exception {
    WsClient a = subscribed("a");
    WsClient b = subscribed("b");
    HttpResponse<String> response = post("/apps/3/batch_events", "{\"batch\":[{\"channel\":\"a\",\"name\":\"one\",\"data\":\"1\"},"
        + "{\"channel\":\"b\",\"name\":\"two\",\"data\":\"2\"}]}");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(a.next("one").get("data").asText()).isEqualTo("1");
    assertThat(b.next("two").get("data").asText()).isEqualTo("2");
  }

  /** The official Node.js server SDK sends the batch; its response parses to one entry per event. */
  @Test
  void answersABatchWithInfoWithOneEntryPerEventInRequestOrder() throws Exception {
    subscribed("a");
    subscribed("a");
    subscribed("a");
    joinPresence("presence-b", "u1", "u2", "u1");
    String batch = "[{\"channel\":\"a\",\"name\":\"one\",\"data\":\"1\",\"info\":\"subscription_count\"},"
        + "{\"channel\":\"presence-b\",\"name\":\"two\",\"data\":\"2\",\"info\":\"user_count,subscription_count\"},"
        + "{\"channel\":\"a\",\"name\":\"three\",\"data\":\"3\"}]";
    String out = NodeScripts.run(Map.of("PORT", Integer.toString(server.port()), "APP_ID", "3", "KEY", KEY,
        "SECRET", SECRET), "sdk.mjs", "triggerBatch", batch);
    JsonNode answer = WsClient.JSON.readTree(out.lines().filter(l -> l.startsWith("{")).findFirst().orElseThrow());
    assertThat(answer.get("status").asInt()).isEqualTo(200);
    assertThat(answer.get("body").toString()).isEqualTo(
        "{\"batch\":[{\"subscription_count\":3},{\"user_count\":2,\"subscription_count\":3},{}]}");
    assertThat(answer.get("body").get("batch").get(1).get("user_count").asInt()).isEqualTo(2);
    assertThat(clients.get(0).next("three").get("data").asText()).isEqualTo("3");
  }

  @Test
  void reportsChannelsTheirCountsAndPresenceUsers() throws Exception {
    subscribed("public-1");
    subscribed("public-1");
    joinPresence("presence-room", "u1", "u2", "u1");

    assertThat(get("/apps/3/channels", Map.of()).body())
        .isEqualTo("{\"channels\":{\"presence-room\":{},\"public-1\":{}}}");
    assertThat(get("/apps/3/channels", Map.of("filter_by_prefix", "presence-", "info", "user_count")).body())
        .isEqualTo("{\"channels\":{\"presence-room\":{\"user_count\":2}}}");
    assertThat(get("/apps/3/channels/public-1", Map.of("info", "subscription_count")).body())
        .isEqualTo("{\"occupied\":true,\"subscription_count\":2}");
    assertThat(get("/apps/3/channels/presence-room", Map.of("info", "user_count,subscription_count")).body())
        .isEqualTo("{\"occupied\":true,\"subscription_count\":3,\"user_count\":2}");
    assertThat(get("/apps/3/channels/empty", Map.of()).body()).isEqualTo("{\"occupied\":false}");
    JsonNode users = WsClient.JSON.readTree(get("/apps/3/channels/presence-room/users", Map.of()).body());
    assertThat(users.toString()).isEqualTo("{\"users\":[{\"id\":\"u1\"},{\"id\":\"u2\"}]}");
    assertThat(get("/apps/3/channels/public-1/users", Map.of()).statusCode()).isEqualTo(400);
  }

  @Test
  void deliversToASignedInUserAndTerminatesTheirConnections() throws Exception {
    WsClient user = WsClient.established(server.port(), KEY);
    clients.add(user);
    String userData = "{\"id\":\"42\"}";
    String auth = KEY + ":" + TestSignatures.hmacHex(SECRET, user.socketId() + "::user::" + userData);
    user.send("{\"event\":\"pusher:signin\",\"data\":{\"auth\":\"" + auth + "\",\"user_data\":\"{\\\"id\\\":\\\"42\\\"}\"}}");
    user.next("pusher:signin_success");
    user.subscribe("#server-to-user-42", null, null);
    user.next("pusher_internal:subscription_succeeded");

    assertThat(post("/apps/3/events", "{\"name\":\"note\",\"channels\":[\"#server-to-user-42\"],\"data\":\"hi\"}")
        .statusCode()).isEqualTo(200);
    assertThat(user.next("note").get("data").asText()).isEqualTo("hi");

    HttpResponse<String> terminated = post("/apps/3/users/42/terminate_connections", "{}");
    assertThat(terminated.statusCode()).isEqualTo(200);
    assertThat(user.awaitClose()).isEqualTo(4009);
  }

  @Test
  void answersHealthAndUnknownPaths() throws Exception {
    subscribed("x");
    for (String path : List.of("/health", "/up")) {
      HttpResponse<String> health = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
          .GET().build(), HttpResponse.BodyHandlers.ofString());
      assertThat(health.statusCode()).isEqualTo(200);
      assertThat(health.body()).isEqualTo("{\"status\":\"ok\",\"connections\":1}");
    }
    HttpResponse<String> unknown = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/nope"))
        .GET().build(), HttpResponse.BodyHandlers.ofString());
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(error(unknown)).contains("/app/{key}");
  }
}
