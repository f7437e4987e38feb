package dev.broadcasting.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.broadcasting.Channel;
import dev.broadcasting.spi.BroadcastDriver;
import dev.broadcasting.spi.BroadcastMessage;
import dev.broadcasting.spi.ChannelAuthSigner;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Unmodified pusher-js 8 and laravel-echo 2 from npm, run by Node.js, against the server. Channel
 * auth comes from an endpoint that answers as an application would: with the {@code server}
 * driver's auth signer.
 */
class PusherJsTest {
  private static final String KEY = "js-key";
  private static final String SECRET = "js-secret";
  private static final byte[] MASTER_KEY = Base64.getDecoder().decode("zyrm8pvV2C9fJcBfhyXzvxbJVN/H7QLmbe0xJi1GhPU=");

  private static BroadcastServer server;
  private static BroadcastDriver driver;
  private static HttpServer authEndpoint;

  @BeforeAll
  static void start() throws Exception {
    server = BroadcastServer.builder().host("127.0.0.1").port(0)
        .app(App.builder("1", KEY, SECRET).build()).build().start();
    driver = server.driver("1", MASTER_KEY);
    authEndpoint = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    authEndpoint.createContext("/broadcasting/auth", PusherJsTest::authorize);
    authEndpoint.createContext("/broadcasting/user-auth", PusherJsTest::signIn);
    authEndpoint.start();
    NodeScripts.installDependencies();
  }

  @AfterAll
  static void stop() {
    if (authEndpoint != null) {
      authEndpoint.stop(0);
    }
    if (server != null) {
      server.close();
    }
  }

  /** What an application's /broadcasting/auth route answers once it has decided to allow. */
  private static void authorize(HttpExchange exchange) throws IOException {
    Map<String, String> form = HttpExchanges.form(exchange);
    String socketId = form.get("socket_id");
    String channel = form.get("channel_name");
    String user = form.getOrDefault("user", "nobody");
    ChannelAuthSigner signer = driver.authSigner();
    String body;
    if (channel.equals("private-forged")) {
      body = "{\"auth\":\"" + TestSignatures.channelAuth(KEY, "not-the-secret", socketId, channel, null) + "\"}";
    } else if (channel.startsWith("presence-")) {
      body = signer.signPresence(socketId, channel, "{\"user_id\":\"" + user + "\",\"user_info\":{\"name\":\"" + user + "\"}}");
    } else {
      body = signer.signPrivate(socketId, channel);
    }
    HttpExchanges.answer(exchange, body);
  }

  private static void signIn(HttpExchange exchange) throws IOException {
    Map<String, String> form = HttpExchanges.form(exchange);
    HttpExchanges.answer(exchange, driver.authSigner().signUser(form.get("socket_id"), "{\"id\":\"42\",\"name\":\"" + form.get("user") + "\"}"));
  }

  private static NodeScripts scenario(String name) throws Exception {
    String base = "http://127.0.0.1:" + authEndpoint.getAddress().getPort();
    return NodeScripts.start(Map.of("PORT", Integer.toString(server.port()), "KEY", KEY,
        "AUTH_URL", base + "/broadcasting/auth", "SIGNIN_URL", base + "/broadcasting/user-auth"),
        "scenarios.mjs", name);
  }

  private static void publish(String event, String channel, String payload) {
    driver.publish(BroadcastMessage.of(event, List.of(Channel.of(channel)), payload)).join();
  }

  @Test
  void pusherJsReceivesAPublicEvent() throws Exception {
    try (NodeScripts node = scenario("public")) {
      node.next("ready");
      publish("Posted", "news", "{\"id\":7,\"text\":\"héllo ✓\"}");
      JsonNode event = node.next("event");
      assertThat(event.get("data").toString()).isEqualTo("{\"id\":7,\"text\":\"héllo ✓\"}");
    }
  }

  @Test
  void laravelEchoReceivesAPrivateEventAfterAuthorizing() throws Exception {
    try (NodeScripts node = scenario("private")) {
      node.next("ready");
      publish("Shipped", "private-orders.1", "{\"order\":1}");
      JsonNode event = node.next("event");
      assertThat(event.get("data").toString()).isEqualTo("{\"order\":1}");
    }
  }

  @Test
  void laravelEchoSeesPresenceMembersJoinAndLeave() throws Exception {
    try (NodeScripts node = scenario("presence")) {
      // alice may hear bob join before bob hears that he is in, so collect everything first
      Map<String, JsonNode> seen = new HashMap<>();
      for (JsonNode line : node.rest()) {
        assertThat(seen.put(line.get("type").asText(), line)).as("one line of each type").isNull();
      }
      assertThat(seen.keySet()).containsExactlyInAnyOrder("here", "bob_here", "joining", "leaving");
      assertThat(seen.get("here").get("users").toString()).isEqualTo("[{\"name\":\"alice\"}]");
      assertThat(seen.get("bob_here").get("users").findValuesAsText("name")).containsExactlyInAnyOrder("alice", "bob");
      assertThat(seen.get("joining").get("user").toString()).isEqualTo("{\"name\":\"bob\"}");
      assertThat(seen.get("leaving").get("user").toString()).isEqualTo("{\"name\":\"bob\"}");
    }
  }

  @Test
  void laravelEchoWhispersReachTheOtherClientOnly() throws Exception {
    try (NodeScripts node = scenario("whisper")) {
      assertThat(node.next("whisper").get("data").toString()).isEqualTo("{\"name\":\"alice\"}");
      JsonNode done = node.next("done");
      assertThat(done.get("heard").toString()).isEqualTo("{\"alice\":0,\"bob\":1}");
    }
  }

  @Test
  void pusherJsDecryptsAnEncryptedEventThatThePusherSdkSealed() throws Exception {
    try (NodeScripts node = scenario("encrypted")) {
      node.next("ready");
      String sealed = NodeScripts.run("seal.mjs", Base64.getEncoder().encodeToString(MASTER_KEY),
          "private-encrypted-vault", "{\"pin\":\"1234\"}");
      assertThat(WsClient.JSON.readTree(sealed).fieldNames()).toIterable().containsExactly("nonce", "ciphertext");
      publish("Secret", "private-encrypted-vault", sealed);
      JsonNode event = node.next("event");
      assertThat(event.get("data").toString()).isEqualTo("{\"pin\":\"1234\"}");
    }
  }

  @Test
  void pusherJsIsRefusedAChannelSignedWithTheWrongSecret() throws Exception {
    try (NodeScripts node = scenario("forged")) {
      JsonNode error = node.next("subscription_error");
      assertThat(error.get("status").asInt()).isEqualTo(401);
      assertThat(error.get("errorType").asText()).isEqualTo("AuthError");
      List<JsonNode> rest = node.rest();
      assertThat(rest.stream().map(l -> l.get("type").asText()).collect(Collectors.toList())).doesNotContain("subscribed");
    }
  }

  @Test
  void pusherJsSignsInAndReceivesEventsSentToTheUser() throws Exception {
    try (NodeScripts node = scenario("signin")) {
      node.next("ready");
      new HttpPublisher(server.port(), "1", KEY, SECRET).trigger("Note", "#server-to-user-42", "{\"hi\":true}");
      assertThat(node.next("user_event").get("data").toString()).isEqualTo("{\"hi\":true}");
    }
  }
}
