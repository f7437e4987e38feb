package dev.broadcasting.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The standalone settings for an app's channels and webhook delivery: {@code --max-channels-per-connection},
 * {@code --max-cache-channels}, {@code --webhook-batch-events}, {@code --webhook-batch-window},
 * {@code --webhook-concurrency}, {@code --webhook-retry-for} and {@code --webhook-backlog-bytes}.
 */
class AppChannelAndWebhookSettingsTest {
  private static final Map<String, String> ONE_APP =
      Map.of("PUSHER_APP_ID", "1", "PUSHER_APP_KEY", "app-key", "PUSHER_APP_SECRET", "app-secret");

  @TempDir
  Path dir;

  @Test
  void flagsSetThem() {
    App app = app(new String[] {"--max-channels-per-connection", "7", "--max-cache-channels", "50",
        "--webhook-batch-events", "5", "--webhook-batch-window", "40ms", "--webhook-concurrency", "8",
        "--webhook-retry-for", "2m", "--webhook-backlog-bytes", "4096"}, ONE_APP);
    assertThat(app.maxChannelsPerConnection()).isEqualTo(7);
    assertThat(app.maxCacheChannels()).isEqualTo(50);
    assertThat(app.webhookPolicy())
        .isEqualTo(new WebhookPolicy(5, Duration.ofMillis(40), 8, Duration.ofMinutes(2), 4096));
  }

  @Test
  void unsetTheyAreTheAppsDefaultsAndOneHalfOfTheBatchKeepsTheOther() {
    App app = app(new String[0], ONE_APP);
    assertThat(app.maxChannelsPerConnection()).isEqualTo(100);
    assertThat(app.maxCacheChannels()).isEqualTo(10_000);
    assertThat(app.webhookPolicy())
        .isEqualTo(new WebhookPolicy(20, Duration.ofMillis(250), 2, Duration.ofMinutes(5), 1024 * 1024));
    assertThat(app(new String[] {"--webhook-batch-window", "1s"}, ONE_APP).webhookPolicy())
        .isEqualTo(new WebhookPolicy(20, Duration.ofSeconds(1), 2, Duration.ofMinutes(5), 1024 * 1024));
    assertThat(app(new String[] {"--webhook-batch-events", "3"}, ONE_APP).webhookPolicy().batchWindow())
        .isEqualTo(Duration.ofMillis(250));
  }

  @Test
  void variablesAndTheFileSetThem() throws Exception {
    Map<String, String> variables = new HashMap<>(ONE_APP);
    variables.putAll(Map.of("BROADCAST_SERVER_MAX_CHANNELS_PER_CONNECTION", "9",
        "BROADCAST_SERVER_WEBHOOK_RETRY_FOR", "PT30S"));
    App fromVariables = app(new String[0], variables);
    assertThat(fromVariables.maxChannelsPerConnection()).isEqualTo(9);
    assertThat(fromVariables.webhookPolicy().retryFor()).isEqualTo(Duration.ofSeconds(30));

    Path config = Files.writeString(dir.resolve("server.json"), """
        {"apps": [{"id": "1", "key": "k", "secret": "s", "max-channels-per-connection": 3, "max-cache-channels": 4,
                   "webhook-batch-events": 6, "webhook-batch-window": "0ms", "webhook-concurrency": 1,
                   "webhook-retry-for": "0s", "webhook-backlog-bytes": 2048}]}
        """);
    App fromFile = app(new String[] {"--config", config.toString()}, Map.of());
    assertThat(fromFile.maxChannelsPerConnection()).isEqualTo(3);
    assertThat(fromFile.maxCacheChannels()).isEqualTo(4);
    assertThat(fromFile.webhookPolicy()).isEqualTo(new WebhookPolicy(6, Duration.ZERO, 1, Duration.ZERO, 2048));
  }

  @Test
  void aBadValueNamesWhatTheUserWrote() throws Exception {
    assertThatThrownBy(() -> app(new String[] {"--max-channels-per-connection", "0"}, ONE_APP))
        .hasMessage("Broadcast server settings are invalid: --max-channels-per-connection must be at least 1 but was 0");
    assertThatThrownBy(() -> app(new String[] {"--max-cache-channels", "lots"}, ONE_APP))
        .hasMessage("Flag --max-cache-channels must be a whole number but was \"lots\"");
    assertThatThrownBy(() -> app(new String[] {"--webhook-batch-events", "0"}, ONE_APP))
        .hasMessage("Broadcast server settings are invalid: --webhook-batch-events must be at least 1 but was 0");
    assertThatThrownBy(() -> app(new String[] {"--webhook-batch-window", "11s"}, ONE_APP))
        .hasMessage("Broadcast server settings are invalid: --webhook-batch-window must be between 0 and 10 s but was "
            + "PT11S");
    assertThatThrownBy(() -> app(new String[] {"--webhook-concurrency", "65"}, ONE_APP))
        .hasMessage("Broadcast server settings are invalid: --webhook-concurrency must be between 1 and 64 but was 65");
    assertThatThrownBy(() -> app(new String[] {"--webhook-retry-for", "-1s"}, ONE_APP))
        .hasMessage("Broadcast server settings are invalid: --webhook-retry-for must not be negative but was PT-1S");
    assertThatThrownBy(() -> app(new String[] {"--webhook-backlog-bytes", "100"}, ONE_APP))
        .hasMessage("Broadcast server settings are invalid: --webhook-backlog-bytes must be at least 1024 but was 100");

    Map<String, String> variables = new HashMap<>(ONE_APP);
    variables.put("BROADCAST_SERVER_WEBHOOK_BATCH_EVENTS", "0");
    assertThatThrownBy(() -> app(new String[0], variables)).hasMessage(
        "Broadcast server settings are invalid: BROADCAST_SERVER_WEBHOOK_BATCH_EVENTS must be at least 1 but was 0");

    Path config = Files.writeString(dir.resolve("bad.json"), """
        {"apps": [{"id": "1", "key": "k", "secret": "s"},
                  {"id": "2", "key": "k2", "secret": "s2", "webhook-concurrency": 0}]}
        """);
    assertThatThrownBy(() -> app(new String[] {"--config", config.toString()}, Map.of())).hasMessage(
        "Broadcast server settings are invalid: apps[1].webhook-concurrency must be between 1 and 64 but was 0 (in "
            + config + ")");
    Path window = Files.writeString(dir.resolve("window.json"),
        "{\"apps\": [{\"id\": \"1\", \"key\": \"k\", \"secret\": \"s\", \"webhook-batch-window\": \"soon\"}]}");
    assertThatThrownBy(() -> app(new String[] {"--config", window.toString()}, Map.of())).hasMessage(
        "Key apps[0].webhook-batch-window must be a duration such as 500ms, 5s or PT5S but was \"soon\" (in "
            + window + ")");
  }

  private static App app(String[] args, Map<String, String> environment) {
    return BroadcastServerMain.builder(args, environment).port(0).build().apps().iterator().next();
  }
}
