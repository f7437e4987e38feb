package dev.broadcasting.doctor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.broadcasting.doctor.Finding.Outcome;
import dev.broadcasting.doctor.internal.PusherApiCheck;
import dev.broadcasting.redis.RedisServer;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.Test;

class PusherApiCheckTest {
  // generous: a check returns as soon as it has its answer, and a loaded machine must not fail it
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  @Test
  void theEmbeddedServerAcceptsTheAppsCredentials() {
    try (EmbeddedServer server = new EmbeddedServer()) {
      Finding finding = new PusherApiCheck(pusherSettings(server.settings()), TIMEOUT).run();

      assertThat(finding.line()).isEqualTo("OK   driver pusher 127.0.0.1:" + server.port()
          + " (signed GET /apps/1/channels) | saw: 200, credentials accepted, 0 occupied channels");
    }
  }

  @Test
  void aWrongSecretIsRefusedAndTheFixNamesTheCredentials() {
    try (EmbeddedServer server = new EmbeddedServer()) {
      Map<String, String> settings = server.settings();
      settings.put("PUSHER_APP_SECRET", "not-the-secret");

      Finding finding = new PusherApiCheck(pusherSettings(settings), TIMEOUT).run();

      assertThat(finding.outcome()).isEqualTo(Outcome.FAIL);
      assertThat(finding.saw()).startsWith("Pusher answered 401 to GET /apps/1/channels");
      assertThat(finding.fix()).startsWith("the API refuses the signature: set PUSHER_APP_KEY and PUSHER_APP_SECRET");
    }
  }

  @Test
  void aWrongAppIdIsNamed() {
    try (EmbeddedServer server = new EmbeddedServer()) {
      Map<String, String> settings = server.settings();
      settings.put("PUSHER_APP_ID", "7");

      Finding finding = new PusherApiCheck(pusherSettings(settings), TIMEOUT).run();

      assertThat(finding.outcome()).isEqualTo(Outcome.FAIL);
      assertThat(finding.saw()).startsWith("Pusher answered 404 to GET /apps/7/channels");
      assertThat(finding.fix()).isEqualTo("no app 7 there: set PUSHER_APP_ID to the app's id");
    }
  }

  @Test
  void aServerThatIsDownIsRefused() throws Exception {
    int port = RedisServer.freePort(false);

    Finding finding = new PusherApiCheck(pusherSettings(EmbeddedServer.settings(port)), TIMEOUT).run();

    assertThat(finding.outcome()).isEqualTo(Outcome.FAIL);
    assertThat(finding.saw()).isEqualTo("connection refused at 127.0.0.1:" + port + ": nothing listens on that port");
  }

  /** Hosted Pusher, played by MockWebServer: the request is signed as Pusher documents, recomputed here. */
  @Test
  void theHostedApiGetsASignedRequest() throws Exception {
    try (MockWebServer pusher = new MockWebServer()) {
      pusher.enqueue(new MockResponse.Builder().code(200).body("{\"channels\":{\"presence-a\":{}}}").build());
      pusher.start();

      Finding finding = new PusherApiCheck(hosted(pusher.getPort()), TIMEOUT).run();

      assertThat(finding.saw()).isEqualTo("200, credentials accepted, 1 occupied channels");
      RecordedRequest request = pusher.takeRequest();
      assertThat(request.getMethod()).isEqualTo("GET");
      assertThat(request.getUrl().encodedPath()).isEqualTo("/apps/3/channels");
      Map<String, String> query = new TreeMap<>();
      for (String pair : request.getUrl().encodedQuery().split("&")) {
        String[] kv = pair.split("=", 2);
        query.put(kv[0], URLDecoder.decode(kv[1], StandardCharsets.UTF_8));
      }
      String signature = query.remove("auth_signature");
      StringBuilder toSign = new StringBuilder("GET\n/apps/3/channels\n");
      query.forEach((k, v) -> toSign.append(k).append('=').append(v).append('&'));
      toSign.setLength(toSign.length() - 1);
      assertThat(query).containsEntry("auth_key", "278d425bdf160c739803").containsEntry("auth_version", "1.0");
      assertThat(signature).isEqualTo(hmacSha256Hex("7ad3773142a6692b25b8", toSign.toString()));
    }
  }

  @Test
  void theHostedApiRefusingTheKeyIsAFailure() throws Exception {
    try (MockWebServer pusher = new MockWebServer()) {
      pusher.enqueue(new MockResponse.Builder().code(401).body("Invalid signature").build());
      pusher.start();

      Finding finding = new PusherApiCheck(hosted(pusher.getPort()), TIMEOUT).run();

      assertThat(finding.outcome()).isEqualTo(Outcome.FAIL);
      assertThat(finding.saw()).startsWith("Pusher answered 401 to GET /apps/3/channels: Invalid signature");
    }
  }

  private static Map<String, String> hosted(int port) {
    Map<String, String> settings = new HashMap<>();
    settings.put("BROADCAST_CONNECTION", "pusher");
    settings.put("PUSHER_APP_ID", "3");
    settings.put("PUSHER_APP_KEY", "278d425bdf160c739803");
    settings.put("PUSHER_APP_SECRET", "7ad3773142a6692b25b8");
    settings.put("PUSHER_HOST", "127.0.0.1");
    settings.put("PUSHER_PORT", String.valueOf(port));
    settings.put("PUSHER_SCHEME", "http");
    return settings;
  }

  private static Map<String, String> pusherSettings(Map<String, String> app) {
    return dev.broadcasting.doctor.internal.PusherApi.pusherSettings("server",
        dev.broadcasting.spi.DriverSettings.of(app), app);
  }

  static String hmacSha256Hex(String secret, String data) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    return HexFormat.of().formatHex(mac.doFinal(data.getBytes(StandardCharsets.UTF_8)));
  }
}
