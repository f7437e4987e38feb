package dev.broadcasting.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.broadcasting.Broadcaster;
import dev.broadcasting.examples.AuthRouteExample.User;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AuthRouteExampleTest {
  private final HttpClient http = HttpClient.newHttpClient();
  private Broadcaster broadcaster;
  private HttpServer server;

  @BeforeEach
  void start() throws Exception {
    broadcaster = Broadcaster.fromMap(Map.of("BROADCAST_CONNECTION", "null"));
    server = new AuthRouteExample(broadcaster, Map.of("t1", new User(1, "Ann"))).start(0);
  }

  @AfterEach
  void stop() {
    server.stop(0);
    broadcaster.close();
  }

  private HttpResponse<String> post(String path, String token, String contentType, String body) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path))
        .header("Content-Type", contentType)
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> form(String token, String body) throws Exception {
    return post("/broadcasting/auth", token, "application/x-www-form-urlencoded", body);
  }

  @Test
  void answersAsLaravelEchoServerExpectsForTheCurrentUser() throws Exception {
    HttpResponse<String> own = form("t1", "socket_id=1.2&channel_name=private-orders.1");
    assertThat(own.statusCode()).isEqualTo(200);
    assertThat(own.body()).isEqualTo("true");
    assertThat(own.headers().firstValue("Content-Type")).hasValue("application/json");

    HttpResponse<String> presence = post("/broadcasting/auth", "t1", "application/json",
        "{\"socket_id\":\"1.2\",\"channel_name\":\"presence-room.9\"}");
    assertThat(presence.body()).isEqualTo("{\"channel_data\":{\"user_id\":1,\"user_info\":{\"name\":\"Ann\"}}}");
  }

  @Test
  void withoutSettingsItSignsForPusherJsNotTrue() throws Exception {
    server.stop(0);
    broadcaster.close();
    broadcaster = AuthRouteExample.broadcaster(Map.of());
    server = new AuthRouteExample(broadcaster, Map.of("t1", new User(1, "Ann"))).start(0);

    HttpResponse<String> own = form("t1", "socket_id=1234.5678&channel_name=private-orders.1");
    assertThat(own.statusCode()).isEqualTo(200);
    assertThat(own.body()).isEqualTo("{\"auth\":\"app-key:" + hmac("app-secret", "1234.5678:private-orders.1") + "\"}");
  }

  private static String hmac(String secret, String text) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    return HexFormat.of().formatHex(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void refusesOtherUsersChannelsUnknownTokensAndBadInput() throws Exception {
    assertThat(form("t1", "socket_id=1.2&channel_name=private-orders.2").statusCode()).isEqualTo(403);
    assertThat(form("nope", "socket_id=1.2&channel_name=private-orders.1").statusCode()).isEqualTo(403);
    assertThat(form(null, "socket_id=1.2&channel_name=private-orders.1").statusCode()).isEqualTo(403);
    // a Laravel name (redis, log) is allowed or denied by the patterns; only a broken name is a 400
    assertThat(form("t1", "socket_id=1.2&channel_name=private-orders.1%3Aprivate-orders.2").statusCode()).isEqualTo(403);
    HttpResponse<String> badName = form("t1", "socket_id=1.2&channel_name=private-orders%201");
    assertThat(badName.statusCode()).isEqualTo(400);
    assertThat(badName.body()).isEqualTo("{\"error\":\"channel_name has a space or control character at index 14; "
        + "channel names have neither\"}");
    // Over the 8 KiB limit, but under the 64 KiB that the JDK's HttpServer drains after an early
    // answer: a larger body is cut off by a reset, and the client may never read the 400.
    assertThat(form("t1", "socket_id=1.2&channel_name=private-orders.1&x=" + "y".repeat(20_000)).statusCode())
        .isEqualTo(400);
  }
}
