package dev.broadcasting.examples.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The demo's HTTP routes without a browser: login, the auth route's answers, posting messages. */
class ChatDemoTest {
  private final HttpClient http = HttpClient.newHttpClient();
  private final ObjectMapper json = new ObjectMapper();
  private final List<String> terminal = new CopyOnWriteArrayList<>();
  private ChatDemo demo;

  @BeforeEach
  void start() throws Exception {
    demo = ChatDemo.start(new ChatDemo.Settings("127.0.0.1", 0, 0, List.of()), terminal::add);
  }

  @AfterEach
  void stop() {
    demo.close();
  }

  private HttpResponse<String> send(String method, String path, String cookie, String type, String body)
      throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(demo.url().resolve(path))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (type != null) {
      request.header("Content-Type", type);
    }
    if (cookie != null) {
      request.header("Cookie", cookie);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private String logIn(String name) throws Exception {
    HttpResponse<String> response = send("POST", "/login", null, "application/json", "{\"name\":\"" + name + "\"}");
    assertThat(response.statusCode()).isEqualTo(200);
    String setCookie = response.headers().firstValue("Set-Cookie").orElseThrow();
    assertThat(setCookie).matches("chat_session=[0-9a-f]{36}; Path=/; HttpOnly; SameSite=Lax");
    return setCookie.substring(0, setCookie.indexOf(';'));
  }

  private HttpResponse<String> auth(String cookie, String channel) throws Exception {
    return send("POST", "/broadcasting/auth", cookie, "application/x-www-form-urlencoded",
        "socket_id=123.456&channel_name=" + channel);
  }

  @Test
  void theSessionTellsThePageWhoIsLoggedInAndWhereTheWebSocketServerIs() throws Exception {
    JsonNode anonymous = json.readTree(send("GET", "/session", null, null, null).body());
    assertThat(anonymous.get("user").isNull()).isTrue();
    assertThat(anonymous.get("pusher")).isEqualTo(json.readTree(
        "{\"key\":\"demo-key\",\"wsPort\":" + demo.webSocketPort() + "}"));

    String ann = logIn("Ann");
    assertThat(json.readTree(send("GET", "/session", ann, null, null).body()).get("user"))
        .isEqualTo(json.readTree("{\"id\":1,\"name\":\"Ann\"}"));
    assertThat(json.readTree(send("GET", "/session", logIn("ann"), null, null).body()).get("user").get("id").asLong())
        .as("the same name, in any case, is the same user").isEqualTo(1);
  }

  @Test
  void refusesNamesThatAreNotNames() throws Exception {
    HttpResponse<String> response = send("POST", "/login", null, "application/json", "{\"name\":\"<script>\"}");
    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(json.readTree(response.body()).get("error").asText())
        .isEqualTo("A name is 1 to 24 letters, digits, spaces, '-' or '_', starting with a letter or digit; "
            + "\"<script>\" is not");
    assertThat(send("POST", "/login", null, "application/json", "not json").statusCode()).isEqualTo(400);
  }

  @Test
  void authorizesOwnPrivateChannelAndThePresenceRoomOnly() throws Exception {
    String ann = logIn("Ann");
    logIn("Bob");

    HttpResponse<String> own = auth(ann, "private-user.1");
    assertThat(own.statusCode()).isEqualTo(200);
    assertThat(json.readTree(own.body()).get("auth").asText()).matches("demo-key:[0-9a-f]{64}");

    HttpResponse<String> room = auth(ann, "presence-chat");
    assertThat(room.statusCode()).isEqualTo(200);
    assertThat(json.readTree(json.readTree(room.body()).get("channel_data").asText()))
        .isEqualTo(json.readTree("{\"user_id\":1,\"user_info\":{\"id\":1,\"name\":\"Ann\"}}"));

    HttpResponse<String> others = auth(ann, "private-user.2");
    assertThat(others.statusCode()).isEqualTo(403);
    assertThat(others.body()).isEqualTo("{\"error\":\"Forbidden\"}");
    assertThat(auth(null, "private-user.1").statusCode()).isEqualTo(403);
    assertThat(auth(ann, "presence-elsewhere").statusCode()).isEqualTo(403);

    assertThat(terminal).filteredOn(line -> line.startsWith("auth")).containsExactly(
        "auth   allowed private-user.1 for Ann (#1)",
        "auth   allowed presence-chat for Ann (#1)",
        "auth   DENIED  private-user.2 for Ann (#1) -> 403 {\"error\":\"Forbidden\"}",
        "auth   DENIED  private-user.1 for nobody (no session cookie) -> 403 {\"error\":\"Forbidden\"}",
        "auth   DENIED  presence-elsewhere for Ann (#1) -> 403 {\"error\":\"Forbidden\"}");
  }

  @Test
  void aRestartedDemoSaysTheCookieIsStaleNotMissing() throws Exception {
    String ann = logIn("Ann");
    int httpPort = demo.url().getPort();
    int webSocketPort = demo.webSocketPort();
    demo.close();
    demo = ChatDemo.start(new ChatDemo.Settings("127.0.0.1", httpPort, webSocketPort, List.of()), terminal::add);

    assertThat(auth(ann, "presence-chat").statusCode()).isEqualTo(403);
    assertThat(json.readTree(send("GET", "/session", ann, null, null).body()).get("user").isNull())
        .as("the page asks /session to tell a forgotten login from a refusal").isTrue();
    assertThat(terminal).filteredOn(line -> line.startsWith("auth")).containsExactly(
        "auth   DENIED  presence-chat for nobody (a session cookie this run does not know: the demo restarted or"
            + " the user logged out; the page asks them to reload and log in again) -> 403 {\"error\":\"Forbidden\"}");
  }

  @Test
  void aChannelIdThatIsNotANumberIsAPlain403() throws Exception {
    String ann = logIn("Ann");
    HttpResponse<String> answer = auth(ann, "private-user.abc");
    assertThat(answer.statusCode()).isEqualTo(403);
    assertThat(answer.body()).isEqualTo("{\"error\":\"Forbidden\"}");
    assertThat(terminal).filteredOn(line -> line.startsWith("auth") || line.startsWith("error")).containsExactly(
        "auth   DENIED  private-user.abc for Ann (#1) -> 403 {\"error\":\"Forbidden\"}");
  }

  @Test
  void terminalLinesKeepTheirSecondsOnTheFullMinute() {
    assertThat(ChatDemo.terminalLine(java.time.LocalTime.of(5, 9), "auth"))
        .isEqualTo("05:09:00  auth");
    assertThat(ChatDemo.terminalLine(java.time.LocalTime.of(17, 30, 4, 999_000_000), "x"))
        .isEqualTo("17:30:04  x");
  }

  @Test
  void postsMessagesOfLoggedInUsersOnly() throws Exception {
    assertThat(send("POST", "/messages", null, "application/json", "{\"text\":\"hi\"}").statusCode()).isEqualTo(401);
    String ann = logIn("Ann");
    assertThat(send("POST", "/messages", ann, "application/json", "{\"text\":\"  \"}").statusCode()).isEqualTo(400);
    assertThat(send("POST", "/messages", ann, "application/json", "{\"text\":\"" + "x".repeat(501) + "\"}")
        .statusCode()).isEqualTo(400);

    HttpResponse<String> posted = send("POST", "/messages", ann, "application/json", "{\"text\":\"hi @ann\"}");
    assertThat(posted.statusCode()).isEqualTo(201);
    JsonNode message = json.readTree(posted.body()).get("message");
    assertThat(message.get("user")).isEqualTo(json.readTree("{\"id\":1,\"name\":\"Ann\"}"));
    assertThat(message.get("text").asText()).isEqualTo("hi @ann");
    assertThat(send("GET", "/messages", ann, null, null).statusCode()).isEqualTo(405);
  }

  @Test
  void servesThePageAndItsBundleAndNothingElse() throws Exception {
    HttpResponse<String> page = send("GET", "/", null, null, null);
    assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
    assertThat(page.body()).contains("<script defer src=\"/chat.js\"></script>");
    HttpResponse<String> bundle = send("GET", "/chat.js", null, null, null);
    assertThat(bundle.statusCode()).as("the bundle is built by npm in the chat-page profile (the README's test command uses it)").isEqualTo(200);
    assertThat(bundle.body()).contains("pusher:subscription_error"); // pusher-js is inside
    assertThat(send("GET", "/../pom.xml", null, null, null).statusCode()).isEqualTo(404);
    assertThat(send("GET", "/index.html.bak", null, null, null).statusCode()).isEqualTo(404);
  }

  @Test
  void settingsFromTheEnvironmentSayWhatIsWrong() {
    ChatDemo.Settings defaults = ChatDemo.Settings.fromEnvironment(Map.of());
    assertThat(defaults).isEqualTo(new ChatDemo.Settings("127.0.0.1", 8080, 6001, List.of()));
    assertThat(ChatDemo.Settings.fromEnvironment(Map.of("CHAT_ALLOWED_ORIGINS", "http://a:1, http://b:2"))
        .allowedOrigins()).containsExactly("http://a:1", "http://b:2");
    assertThatThrownBy(() -> ChatDemo.Settings.fromEnvironment(Map.of("CHAT_HTTP_PORT", "eighty")))
        .hasMessage("CHAT_HTTP_PORT must be a port number but was \"eighty\"");
  }
}
