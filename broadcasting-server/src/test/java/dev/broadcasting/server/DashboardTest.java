package dev.broadcasting.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The dashboard's HTTP side with a real server and real WebSocket clients: login, figures, queries, log, test event. */
class DashboardTest {
  private static final String SECRET = "dashboard-test-secret-7f3a";
  private static final String OPERATOR_PASSWORD = "operator-password-91c2";
  private final List<String> bodies = new ArrayList<>();
  private BroadcastServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private void start(BroadcastServer.Builder builder) {
    server = builder.host("127.0.0.1").port(0)
        .app(App.builder("1", "app-key", SECRET).build())
        .app(App.builder("2", "other-key", "other-secret-value").build())
        .build().start();
  }

  @Test
  void isOffByDefault() throws Exception {
    start(BroadcastServer.builder());
    assertThat(get("/dashboard", null).statusCode()).isEqualTo(404);
    assertThat(post("/dashboard/login", "{\"user\":\"app-key\",\"password\":\"" + SECRET + "\"}", null).statusCode())
        .isEqualTo(404);
  }

  @Test
  void refusesWrongCredentialsAndScopesAnAppLoginToItsApp() throws Exception {
    start(BroadcastServer.builder().dashboard("admin", OPERATOR_PASSWORD));
    HttpResponse<String> page = get("/dashboard", null);
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("<form id=\"login\"");

    assertThat(post("/dashboard/login", "{\"user\":\"app-key\",\"password\":\"wrong\"}", null).statusCode()).isEqualTo(401);
    assertThat(post("/dashboard/login", "{\"user\":\"admin\",\"password\":\"" + SECRET + "\"}", null).statusCode())
        .isEqualTo(401);
    assertThat(get("/dashboard/api/apps", null).statusCode()).isEqualTo(401);
    assertThat(get("/dashboard/api/apps", "broadcast_dashboard=made-up").statusCode()).isEqualTo(401);

    String app = login("app-key", SECRET);
    assertThat(WsClient.JSON.readTree(get("/dashboard/api/apps", app).body()).toString())
        .isEqualTo("{\"apps\":[{\"id\":\"1\",\"key\":\"app-key\"}]}");
    assertThat(get("/dashboard/api/apps/2/channels", app).statusCode()).isEqualTo(404);

    String operator = login("admin", OPERATOR_PASSWORD);
    assertThat(WsClient.JSON.readTree(get("/dashboard/api/apps", operator).body()).toString())
        .isEqualTo("{\"apps\":[{\"id\":\"1\",\"key\":\"app-key\"},{\"id\":\"2\",\"key\":\"other-key\"}]}");

    post("/dashboard/logout", "{}", operator);
    assertThat(get("/dashboard/api/apps", operator).statusCode()).isEqualTo(401);
    assertThat(bodies).noneMatch(body -> body.contains(SECRET) || body.contains(OPERATOR_PASSWORD));
  }

  @Test
  void showsFiguresConnectionsTheLogAndSendsATestEvent() throws Exception {
    start(BroadcastServer.builder().dashboard());
    String session = login("app-key", SECRET);
    try (WsClient client = WsClient.established(server.port(), "app-key")) {
      client.subscribe("news", null, null);
      client.next("pusher_internal:subscription_succeeded");
      client.subscribe("private-orders", "app-key:not-the-signature", null);
      client.next("pusher:subscription_error");

      AppStats stats = server.stats("1");
      assertThat(stats.connections()).isEqualTo(1);
      assertThat(stats.channels()).isEqualTo(1);
      assertThat(stats.messagesIn()).isEqualTo(2);
      assertThat(stats.messagesOut()).as("established, succeeded, error").isEqualTo(3);
      assertThat(stats.refusals()).isEqualTo(1);
      assertThat(server.isRunning()).isTrue();

      JsonNode channels = json(get("/dashboard/api/apps/1/channels", session));
      assertThat(channels.toString()).isEqualTo("{\"channels\":[{\"name\":\"news\",\"subscriptions\":1,\"users\":0}],\"total\":1}");
      JsonNode socket = json(get("/dashboard/api/apps/1/sockets/" + client.socketId(), session));
      assertThat(socket.toString()).isEqualTo("{\"socket_id\":\"" + client.socketId() + "\",\"channels\":[{\"name\":\"news\"}]}");
      assertThat(get("/dashboard/api/apps/1/sockets/1.2", session).statusCode()).isEqualTo(404);

      HttpResponse<String> sent = post("/dashboard/api/apps/1/events",
          "{\"channel\":\"news\",\"name\":\"test-event\",\"data\":\"{\\\"hello\\\":\\\"world\\\"}\"}", session);
      assertThat(sent.statusCode()).isEqualTo(200);
      JsonNode received = client.next("test-event");
      assertThat(received.path("channel").asText()).isEqualTo("news");
      assertThat(received.path("data").asText()).isEqualTo("{\"hello\":\"world\"}");
      HttpResponse<String> invalid = post("/dashboard/api/apps/1/events",
          "{\"channel\":\"no spaces\",\"name\":\"test-event\",\"data\":\"{}\"}", session);
      assertThat(invalid.statusCode()).isEqualTo(400);

      JsonNode log = json(get("/dashboard/api/apps/1/log", session));
      List<String> kinds = new ArrayList<>();
      log.forEach(entry -> kinds.add(entry.path("kind").asText()));
      assertThat(kinds).containsExactly("connected", "subscribed", "refused", "published");
      assertThat(log.get(2).path("channel").asText()).isEqualTo("private-orders");
      assertThat(log.get(2).path("detail").asText()).startsWith("401 AuthError: Invalid signature");
      assertThat(log.get(3).path("name").asText()).isEqualTo("test-event");
      assertThat(log.get(3).path("bytes").asInt()).isEqualTo(17);
      JsonNode refusals = json(get("/dashboard/api/apps/1/log?kind=refused", session));
      assertThat(refusals).hasSize(1);
      assertThat(json(get("/dashboard/api/apps/1/log?channel=news", session))).hasSize(2);
    }
    assertThat(bodies).noneMatch(body -> body.contains(SECRET));
  }

  @Test
  void pushesTheHistoryThenASampleEachSecondOverServerSentEvents() throws Exception {
    start(BroadcastServer.builder().dashboard());
    String session = login("app-key", SECRET);
    HttpResponse<Stream<String>> stream = WsClient.HTTP.send(HttpRequest.newBuilder(url("/dashboard/api/apps/1/stream"))
        .header("Cookie", session).build(), HttpResponse.BodyHandlers.ofLines());
    assertThat(stream.statusCode()).isEqualTo(200);
    assertThat(stream.headers().firstValue("content-type")).hasValue("text/event-stream; charset=utf-8");
    CompletableFuture<List<String>> events = CompletableFuture.supplyAsync(() -> {
      List<String> names = new ArrayList<>();
      Iterator<String> lines = stream.body().iterator();
      while (names.size() < 4 && lines.hasNext()) {
        String line = lines.next();
        if (line.startsWith("event: ")) {
          names.add(line.substring(7));
        }
      }
      return names;
    });
    assertThat(events.get(10, TimeUnit.SECONDS)).startsWith("history", "sample");
  }

  @Test
  void checksTheOperatorPasswordWhenBuilt() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> BroadcastServer.builder().dashboard("admin", "short"))
        .hasMessage("The dashboard password must be at least 12 characters but was 5 characters; generate one with:"
            + " openssl rand -base64 18");
  }

  private String login(String user, String password) throws Exception {
    HttpResponse<String> answer = post("/dashboard/login", "{\"user\":\"" + user + "\",\"password\":\"" + password + "\"}", null);
    assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
    String cookie = answer.headers().firstValue("set-cookie").orElseThrow();
    assertThat(cookie).contains("HttpOnly", "SameSite=Strict", "Path=/dashboard");
    return cookie.substring(0, cookie.indexOf(';'));
  }

  private JsonNode json(HttpResponse<String> response) throws Exception {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return WsClient.JSON.readTree(response.body());
  }

  private HttpResponse<String> get(String path, String cookie) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(url(path));
    if (cookie != null) {
      request.header("Cookie", cookie);
    }
    return record(WsClient.HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString()));
  }

  private HttpResponse<String> post(String path, String body, String cookie) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(url(path)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (cookie != null) {
      request.header("Cookie", cookie);
    }
    return record(WsClient.HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString()));
  }

  private HttpResponse<String> record(HttpResponse<String> response) {
    bodies.add(response.body());
    return response;
  }

  private URI url(String path) {
    return URI.create("http://127.0.0.1:" + server.port() + path);
  }
}
