package dev.broadcasting.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The builders check each value when it is set and say what was wrong; no secret reaches toString. */
class BuildersTest {

  @Test
  void appBuilderNamesTheWrongValue() {
    assertThatThrownBy(() -> App.builder("1", "bad key", "s")).hasMessageContaining("\"bad key\"");
    assertThatThrownBy(() -> App.builder("1", "k", " ")).hasMessageContaining("PUSHER_APP_SECRET");
    assertThatThrownBy(() -> App.builder("1", "k", "s").maxPresenceMembers(0))
        .hasMessage("maxPresenceMembers must be at least 1 but was 0");
    assertThatThrownBy(() -> App.builder("1", "k", "s").allowedOrigins("https://example.com/"))
        .hasMessageContaining("without a path");
    assertThatThrownBy(() -> App.builder("1", "k", "s").webhook(URI.create("ftp://example.com")))
        .hasMessageContaining("http or https");
    assertThatThrownBy(() -> App.builder("1", "k", "s").maxChannelsPerConnection(0))
        .hasMessage("maxChannelsPerConnection must be at least 1 but was 0");
    assertThatThrownBy(() -> App.builder("1", "k", "s").maxCacheChannels(-1))
        .hasMessage("maxCacheChannels must be at least 1 but was -1");
    assertThatThrownBy(() -> App.builder("1", "k", "s").webhookConcurrency(0))
        .hasMessage("webhookConcurrency must be between 1 and 64 but was 0");
    assertThatThrownBy(() -> App.builder("1", "k", "s").webhookBatch(20, Duration.ofMinutes(1)))
        .hasMessage("webhookBatch window must be between 0 and 10 s but was PT1M");
    assertThatThrownBy(() -> App.builder("1", "k", "s").webhookRetryFor(Duration.ofSeconds(-1)))
        .hasMessage("webhookRetryFor must not be negative but was PT-1S");
    assertThatThrownBy(() -> App.builder("1", "k", "s").webhookBacklogBytes(10))
        .hasMessage("webhookBacklogBytes must be at least 1024 but was 10");
    assertThat(App.builder("1", "k", "s").build().webhookPolicy())
        .isEqualTo(new WebhookPolicy(20, Duration.ofMillis(250), 2, Duration.ofMinutes(5), 1024 * 1024));
    App defaults = App.builder("1", "k", "s").build();
    assertThat(List.of(defaults.maxChannelsPerConnection(), defaults.maxCacheChannels(), defaults.maxPresenceMembers(),
        defaults.maxConnections())).containsExactly(100, 10_000, 100, 0);
  }

  @Test
  void serverBuilderNamesTheWrongValue() {
    App app = App.builder("1", "k", "s").build();
    assertThatThrownBy(() -> BroadcastServer.builder().port(70000)).hasMessage("port must be between 0 and 65535 but was 70000");
    assertThatThrownBy(() -> BroadcastServer.builder().activityTimeout(Duration.ofMillis(10)))
        .hasMessageContaining("activityTimeout must be at least one second");
    assertThatThrownBy(() -> BroadcastServer.builder().app(app).app(App.builder("1", "k2", "s").build()))
        .hasMessageContaining("id 1 was already added");
    assertThatThrownBy(() -> BroadcastServer.builder().app(app).app(App.builder("2", "k", "s").build()))
        .hasMessageContaining("same key k");
    assertThatThrownBy(() -> BroadcastServer.builder().build()).hasMessageContaining("No app configured");
    assertThatThrownBy(() -> BroadcastServer.builder().firstBytesTimeout(Duration.ofSeconds(-1)))
        .hasMessage("firstBytesTimeout must be between 0 (off) and 1 hour but was PT-1S");
    assertThatThrownBy(() -> BroadcastServer.builder().keepAliveTimeout(Duration.ofHours(2)))
        .hasMessage("keepAliveTimeout must be between 0 (off) and 1 hour but was PT2H");
    assertThatThrownBy(() -> BroadcastServer.builder().maxOpeningConnectionsPerAddress(-1))
        .hasMessage("maxOpeningConnectionsPerAddress must be at least 0 but was -1");
    assertThatThrownBy(() -> BroadcastServer.builder().trustedProxies("proxy.internal"))
        .hasMessageContaining("\"proxy.internal\" is not an IP address");
    assertThatThrownBy(() -> BroadcastServer.builder().app(app).build().port()).hasMessageContaining("not started");
  }

  @Test
  void neverShowsTheSecret() {
    App app = App.builder("1", "key-1", "top-secret").build();
    BroadcastServer server = BroadcastServer.builder().port(0).app(app).build();
    assertThat(app.toString()).isEqualTo("App{id=1, key=key-1}");
    assertThat(server.toString()).doesNotContain("top-secret");
    assertThat(server.driver("1").toString()).doesNotContain("top-secret");
    assertThat(server.driver("1").authSigner().toString()).doesNotContain("top-secret");
  }

  @Test
  void refusesAPortInUseWithAClearMessage() {
    try (BroadcastServer first = BroadcastServer.builder().host("127.0.0.1").port(0)
        .app(App.builder("1", "k", "s").build()).build().start()) {
      BroadcastServer second = BroadcastServer.builder().host("127.0.0.1").port(first.port())
          .app(App.builder("1", "k", "s").build()).build();
      assertThatThrownBy(second::start).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("could not bind 127.0.0.1:" + first.port());
    }
  }
}
