package dev.broadcasting.ably;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.broadcasting.BroadcastException;
import dev.broadcasting.Broadcaster;
import dev.broadcasting.Channel;
import dev.broadcasting.internal.DriverRegistry;
import dev.broadcasting.spi.DriverSettings;
import dev.broadcasting.spi.BroadcastMessage;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;

class AblyConfigurationTest {

  @Test
  void plainHttpNeedsAnExplicitOptIn() {
    assertThatThrownBy(() -> AblyBroadcastDriver.builder().key(FakeAbly.KEY).tls(false).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("clear text").hasMessageContaining("allowInsecureBasicAuth(true)");
  }

  @Test
  void malformedKeysAreNamedWithoutTheirSecret() {
    assertThatThrownBy(() -> AblyBroadcastDriver.builder().key("justaname").build())
        .isInstanceOf(BroadcastException.class).hasMessageContaining("appId.keyId:keySecret")
        .hasMessageContaining("no ':'");
    assertThatThrownBy(() -> AblyBroadcastDriver.builder().key("nodot:s3cr3tValue").build())
        .hasMessageContaining("\"nodot\" is not appId.keyId").message().doesNotContain("s3cr3tValue");
    assertThatThrownBy(() -> AblyBroadcastDriver.builder().key("app.key:").build())
        .hasMessageContaining("secret after ':' is empty");
    assertThatThrownBy(() -> AblyBroadcastDriver.builder().build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("ABLY_KEY");
  }

  @Test
  void builderRejectsBadValuesNamingThem() {
    AblyBroadcastDriver.Builder builder = AblyBroadcastDriver.builder();
    assertThatThrownBy(() -> builder.port(0)).hasMessage("port must be between 1 and 65535 but was 0");
    assertThatThrownBy(() -> builder.maxMessageSize(0)).hasMessageContaining("maxMessageSize must be at least 1");
    assertThatThrownBy(() -> builder.requestTimeout(Duration.ZERO)).hasMessageContaining("requestTimeout must be positive");
    assertThatThrownBy(() -> builder.httpMaxRetryCount(-1)).hasMessageContaining("httpMaxRetryCount must not be negative");
    assertThatThrownBy(() -> builder.endpoint("https://x.example/")).hasMessageContaining("without scheme or path");
    assertThatThrownBy(() -> builder.fallbackHosts(List.of("a/b"))).hasMessageContaining("\"a/b\"");
    builder.host("a.example");
    assertThatThrownBy(() -> builder.endpoint("acme")).hasMessageContaining("set either endpoint or host");
  }

  @Test
  void toStringShowsTheKeyNameAndHostButNeverTheSecret() {
    AblyBroadcastDriver driver = AblyBroadcastDriver.builder().key(FakeAbly.KEY).build();
    assertThat(driver.toString()).contains("appId.keyId").contains("main.realtime.ably.net")
        .contains("main.a.fallback.ably-realtime.com").doesNotContain("keySecret");
    driver.close();
    assertThat(AblyTokens.builder().key(FakeAbly.KEY).build().toString()).doesNotContain("keySecret");
  }

  @Test
  void providerReadsAblyKeyAndNamesAMissingOne() {
    assertThat(DriverRegistry.providers()).containsKey("ably");
    assertThatThrownBy(() -> DriverRegistry.create("ably", DriverSettings.of(Map.of())))
        .isInstanceOf(BroadcastException.class).hasMessageContaining("ABLY_KEY");
    assertThatThrownBy(() -> DriverRegistry.create("ably", DriverSettings.of(Map.of("ABLY_KEY", FakeAbly.KEY,
        "ABLY_TLS", "false")))).isInstanceOf(BroadcastException.class).hasMessageContaining("allowInsecureBasicAuth");
  }

  @Test
  void broadcasterFromSettingsPublishesThroughAbly() throws Exception {
    try (FakeAbly ably = FakeAbly.start()) {
      Map<String, String> settings = Map.of("BROADCAST_CONNECTION", "ably", "ABLY_KEY", FakeAbly.KEY,
          "ABLY_HOST", "127.0.0.1", "ABLY_PORT", String.valueOf(ably.port()), "ABLY_TLS", "false",
          "ABLY_ALLOW_INSECURE_BASIC_AUTH", "true", "ABLY_REQUEST_TIMEOUT", "2s");
      try (Broadcaster broadcaster = Broadcaster.fromMap(settings)) {
        broadcaster.on(new Channel("news")).as("Published").with(Map.of("id", 1)).send().get(10, TimeUnit.SECONDS);
      }
      assertThat(ably.requests).hasSize(1);
      assertThat(ably.requests.get(0).getTarget()).isEqualTo("/channels/public%3Anews/messages");
      assertThat(ably.requests.get(0).getHeaders().get("Authorization")).isEqualTo(FakeAbly.BASIC);
      assertThat(new ObjectMapper().readTree(ably.requests.get(0).getBody().utf8()).get(0).get("data").asText())
          .isEqualTo("{\"id\":1}");
    }
  }

  @Test
  void sendsWithNagleOff() throws Exception {
    // on the application's client, to see the socket: a large body written in parts waited up to
    // 40 ms for the server's delayed acknowledgement with Nagle on (NoDelaySockets)
    List<Boolean> noDelay = new CopyOnWriteArrayList<>();
    OkHttpClient client = new OkHttpClient.Builder().addNetworkInterceptor(chain -> {
      noDelay.add(chain.connection().socket().getTcpNoDelay());
      return chain.proceed(chain.request());
    }).build();
    try (FakeAbly ably = FakeAbly.start(); AblyBroadcastDriver driver = ably.driver().httpClient(client).build()) {
      driver.publish(BroadcastMessage.of("Published", List.of(new Channel("news")), "{}")).get(10, TimeUnit.SECONDS);
    } finally {
      client.dispatcher().executorService().shutdown();
      client.connectionPool().evictAll();
    }
    assertThat(noDelay).containsExactly(true);
  }
}
