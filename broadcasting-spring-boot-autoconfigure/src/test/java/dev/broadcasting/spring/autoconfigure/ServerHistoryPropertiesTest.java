package dev.broadcasting.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.broadcasting.server.App;
import dev.broadcasting.server.BroadcastServer;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * {@code broadcasting.server.history[N].channels/.max-events/.ttl} and
 * {@code broadcasting.server.max-history-channels}: the embedded server's rules for recovery.
 */
class ServerHistoryPropertiesTest {
  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(BroadcastingAutoConfigurationTest.all())
      .withPropertyValues("broadcasting.server.enabled=true", "broadcasting.server.host=127.0.0.1",
          "broadcasting.server.port=0", "broadcasting.server.app-id=1", "broadcasting.server.key=app-key",
          "broadcasting.server.secret=app-secret");

  @Test
  void thePropertiesAreTheAppsRulesInOrder() {
    runner.withPropertyValues("broadcasting.server.history[0].channels=presence-chat",
            "broadcasting.server.history[0].max-events=100", "broadcasting.server.history[0].ttl=2m",
            "broadcasting.server.history[1].channels=private-user.*",
            "broadcasting.server.history[1].max-events=50", "broadcasting.server.history[1].ttl=PT30S",
            "broadcasting.server.max-history-channels=500")
        .run(context -> {
          App app = app(context.getBean(BroadcastServer.class));
          assertThat(rules(app)).containsExactly("presence-chat 100 PT2M", "private-user.* 50 PT30S");
          assertThat(app.maxHistoryChannels()).isEqualTo(500);
        });
  }

  @Test
  void unsetThereIsNoHistory() {
    runner.run(context -> {
      App app = app(context.getBean(BroadcastServer.class));
      assertThat(app.historyRules()).isEmpty();
      assertThat(app.maxHistoryChannels()).isEqualTo(10_000);
    });
  }

  @Test
  void theVariableWorksAndThePropertiesReplaceIt() {
    runner.withPropertyValues("BROADCAST_SERVER_HISTORY=news:3:1m, sport:4:2m")
        .run(context -> assertThat(rules(app(context.getBean(BroadcastServer.class))))
            .containsExactly("news 3 PT1M", "sport 4 PT2M"));
    runner.withPropertyValues("BROADCAST_SERVER_HISTORY=news:3:1m", "broadcasting.server.history[0].channels=chat",
            "broadcasting.server.history[0].max-events=9", "broadcasting.server.history[0].ttl=10s")
        .run(context -> assertThat(rules(app(context.getBean(BroadcastServer.class))))
            .containsExactly("chat 9 PT10S"));
  }

  @Test
  void aBadRuleFailsStartupNamingItsProperty() {
    runner.withPropertyValues("broadcasting.server.history[0].channels=news",
            "broadcasting.server.history[0].max-events=10", "broadcasting.server.history[0].ttl=1m",
            "broadcasting.server.history[1].channels=sport", "broadcasting.server.history[1].max-events=0",
            "broadcasting.server.history[1].ttl=1m")
        .run(context -> assertThat(context).hasFailed().getFailure().hasStackTraceContaining(
            "broadcasting.server.enabled is true, but the server cannot start: Setting broadcasting.server.history[1]: "
                + "History size of sport must be between 1 and 100000 events but was 0"));
    runner.withPropertyValues("broadcasting.server.history[0].channels=news",
            "broadcasting.server.history[0].max-events=10")
        .run(context -> assertThat(context).hasFailed().getFailure().hasStackTraceContaining(
            "Setting broadcasting.server.history[0] needs channels, max-events and ttl"));
    runner.withPropertyValues("broadcasting.server.history[0].channels=news",
            "broadcasting.server.history[0].max-events=lots", "broadcasting.server.history[0].ttl=1m")
        .run(context -> assertThat(context).hasFailed().getFailure()
            .hasStackTraceContaining("Failed to bind properties under 'broadcasting.server.history[0].max-events'"));
    runner.withPropertyValues("broadcasting.server.max-history-channels=0")
        .run(context -> assertThat(context).hasFailed().getFailure().hasStackTraceContaining(
            "broadcasting.server.max-history-channels must be at least 1 but was 0"));
  }

  private static App app(BroadcastServer server) {
    return server.apps().iterator().next();
  }

  private static List<String> rules(App app) {
    return app.historyRules().stream()
        .map(rule -> rule.channelPattern() + " " + rule.maxEvents() + " " + rule.timeToLive()).toList();
  }
}
