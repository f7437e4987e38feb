package dev.broadcasting.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.broadcasting.Channel;
import dev.broadcasting.spi.BroadcastMessage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The standalone settings for recovery: {@code --history} ({@code pattern:max-events:ttl, ...}; in the
 * file also an array of objects) and {@code --max-history-channels}, from flags, variables and the file.
 */
class HistorySettingsTest {
  private static final Map<String, String> ONE_APP =
      Map.of("PUSHER_APP_ID", "1", "PUSHER_APP_KEY", "app-key", "PUSHER_APP_SECRET", "app-secret");

  @TempDir
  Path dir;

  @Test
  void flagsSetTheRulesInOrder() {
    App app = app(new String[] {"--history", " presence-chat:100:2m, private-user.*:50:PT30S,news:1:500ms ",
        "--max-history-channels", "500"}, ONE_APP);
    assertThat(rules(app)).containsExactly("presence-chat 100 PT2M", "private-user.* 50 PT30S", "news 1 PT0.5S");
    assertThat(app.maxHistoryChannels()).isEqualTo(500);
  }

  @Test
  void unsetThereIsNoHistoryAndTheAppsDefaultChannelBound() {
    App app = app(new String[0], ONE_APP);
    assertThat(app.historyRules()).isEmpty();
    assertThat(app.maxHistoryChannels()).isEqualTo(10_000);
    assertThat(app(new String[] {"--history", " "}, ONE_APP).historyRules()).isEmpty();
  }

  @Test
  void aCommaWithNoColonBeforeTheNextIsPartOfThePattern() {
    // Pusher's channel alphabet has ',' but no ':'
    assertThat(rules(app(new String[] {"--history", "a,b:5:1s,c:6:2s"}, ONE_APP))).containsExactly("a,b 5 PT1S",
        "c 6 PT2S");
  }

  @Test
  void variablesSetThem() {
    Map<String, String> variables = new HashMap<>(ONE_APP);
    variables.put("BROADCAST_SERVER_HISTORY", "private-user.*:100:2m");
    variables.put("BROADCAST_SERVER_MAX_HISTORY_CHANNELS", "20");
    App app = app(new String[0], variables);
    assertThat(rules(app)).containsExactly("private-user.* 100 PT2M");
    assertThat(app.maxHistoryChannels()).isEqualTo(20);
    // the flag wins over its variable
    assertThat(rules(app(new String[] {"--history", "news:3:1m"}, variables))).containsExactly("news 3 PT1M");
  }

  @Test
  void theFileSetsThemAsTextAsAnArrayOfTextsOrAsObjects() throws Exception {
    BroadcastServer server = read("""
        {"apps": [
          {"id": "1", "key": "k1", "secret": "s1", "history": "presence-chat:100:2m, private-user.*:100:2m",
           "max-history-channels": 30},
          {"id": "2", "key": "k2", "secret": "s2", "history": ["news:10:1m", "sport:20:PT2M"]},
          {"id": "3", "key": "k3", "secret": "s3",
           "history": [{"channels": "presence-chat", "max-events": 100, "ttl": "2m"},
                       {"channels": "a,b", "max-events": "7", "ttl": 500}]},
          {"id": "4", "key": "k4", "secret": "s4"}]}
        """).build();
    List<App> apps = List.copyOf(server.apps());
    assertThat(rules(apps.get(0))).containsExactly("presence-chat 100 PT2M", "private-user.* 100 PT2M");
    assertThat(apps.get(0).maxHistoryChannels()).isEqualTo(30);
    assertThat(rules(apps.get(1))).containsExactly("news 10 PT1M", "sport 20 PT2M");
    // a bare number of a duration is milliseconds, as for every TIME setting
    assertThat(rules(apps.get(2))).containsExactly("presence-chat 100 PT2M", "a,b 7 PT0.5S");
    assertThat(apps.get(3).historyRules()).isEmpty();
  }

  @Test
  void theRulesReachTheWire() throws Exception {
    try (BroadcastServer server = BroadcastServerMain.builder(new String[] {"--host", "127.0.0.1", "--port", "0",
            "--history", "news*:10:1m"}, ONE_APP).build().start();
        RawClient raw = RawClient.connect(server.port(), "/app/app-key?protocol=7")) {
      raw.read();
      raw.sendAll("{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":\"news-1\"}}",
          "{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":\"other\"}}");
      raw.read();
      raw.read();
      publish(server, "news-1");
      assertThat(raw.readText()).matches("\\{\"event\":\"Tick\",\"channel\":\"news-1\",\"data\":\"\\{}\","
          + "\"epoch\":\"[0-9a-z]+\",\"offset\":1}");
      publish(server, "other");
      assertThat(raw.readText()).isEqualTo("{\"event\":\"Tick\",\"channel\":\"other\",\"data\":\"{}\"}");
    }
  }

  @Test
  void aBadRuleIsNamedAsTheUserWroteIt() {
    assertThatThrownBy(() -> app(new String[] {"--history", "presence-chat:100:2m, private-user.*:lots:2m"}, ONE_APP))
        .hasMessage("Flag --history rule 2 \"private-user.*:lots:2m\": max-events must be a whole number but was "
            + "\"lots\"");
    assertThatThrownBy(() -> app(new String[] {"--history", "news:10:soon"}, ONE_APP))
        .hasMessage("Flag --history rule 1 \"news:10:soon\": ttl must be a duration such as 500ms, 5s or PT5S but "
            + "was \"soon\"");
    assertThatThrownBy(() -> app(new String[] {"--history", "news:10:1m,sport:10"}, ONE_APP))
        .hasMessage("Flag --history rule 2 \"sport:10\" must be channel-pattern:max-events:ttl, e.g. "
            + "\"presence-chat:100:2m\" keeps the last 100 events of presence-chat for 2 minutes");
    assertThatThrownBy(() -> app(new String[] {"--history", "news:10:1m, sport"}, ONE_APP))
        .hasMessageStartingWith("Flag --history rule 2 \"sport\" must be channel-pattern:max-events:ttl, e.g. ");
    assertThatThrownBy(() -> app(new String[] {"--history", "news::1m"}, ONE_APP))
        .hasMessageStartingWith("Flag --history rule 1 \"news::1m\" needs channels, max-events and ttl, e.g. ");
    assertThatThrownBy(() -> app(new String[] {"--history", "news:0:1m"}, ONE_APP))
        .hasMessage("Flag --history rule 1 \"news:0:1m\": History size of news must be between 1 and 100000 events "
            + "but was 0");
    assertThatThrownBy(() -> app(new String[] {"--history", "news:1:-1s"}, ONE_APP))
        .hasMessage("Flag --history rule 1 \"news:1:-1s\": History time-to-live of news must be positive but was "
            + "PT-1S");
    assertThatThrownBy(() -> app(new String[] {"--history", "news feed:1:1m"}, ONE_APP))
        .hasMessageStartingWith("Flag --history rule 1 \"news feed:1:1m\": History channel pattern \"news feed\" is "
            + "invalid: use the characters of channel names");
    assertThatThrownBy(() -> app(new String[] {"--history", "news:1:1m,news:2:1m"}, ONE_APP))
        .hasMessage("Flag --history rule 2 \"news:2:1m\": History pattern news was added twice; keep one rule");
    assertThatThrownBy(() -> app(new String[] {"--max-history-channels", "0"}, ONE_APP))
        .hasMessage("Broadcast server settings are invalid: --max-history-channels must be at least 1 but was 0");

    Map<String, String> variables = new HashMap<>(ONE_APP);
    variables.put("BROADCAST_SERVER_HISTORY", "news:many:1m");
    assertThatThrownBy(() -> app(new String[0], variables)).hasMessage("Setting BROADCAST_SERVER_HISTORY rule 1 "
        + "\"news:many:1m\": max-events must be a whole number but was \"many\"");
  }

  @Test
  void aBadRuleInTheFileIsNamedByItsPlace() throws Exception {
    String app = "{\"apps\": [{\"id\": \"1\", \"key\": \"k\", \"secret\": \"s\", \"history\": ";
    assertThatThrownBy(() -> read(app + "\"news:1:1m, sport:x:1m\"}]}")).hasMessage("Key apps[0].history rule 2 "
        + "\"sport:x:1m\": max-events must be a whole number but was \"x\" (in " + dir.resolve("server.json") + ")");
    assertThatThrownBy(() -> read(app + "[{\"channels\": \"news\", \"max-events\": 1, \"ttl\": \"1m\"},"
        + " {\"channels\": \"sport\", \"max-events\": \"lots\", \"ttl\": \"1m\"}]}]}"))
        .hasMessage("Key apps[0].history[1]: max-events must be a whole number but was \"lots\" (in "
            + dir.resolve("server.json") + ")");
    assertThatThrownBy(() -> read(app + "[{\"channels\": \"news\", \"max-events\": 1}]}]}"))
        .hasMessageStartingWith("Key apps[0].history[0] needs channels, max-events and ttl, e.g. ");
    assertThatThrownBy(() -> read(app + "[{\"channels\": \"news\", \"max-events\": 1, \"ttl\": \"1m\", "
        + "\"size\": 3}]}]}")).hasMessageEndingWith("is invalid: unknown key \"size\" in apps[0].history[0]; a "
        + "history rule's keys are channels, max-events and ttl");
    assertThatThrownBy(() -> read(app + "[{\"channels\": \"news\", \"max-events\": 1, \"ttl\": \"1m\"}, "
        + "\"sport:1:1m\"]}]}")).hasMessageEndingWith("is invalid: apps[0].history[1] must be an object like the "
        + "others, {\"channels\": \"presence-chat\", \"max-events\": 100, \"ttl\": \"2m\"}");
    assertThatThrownBy(() -> read(app + "[{\"channels\": \"news\", \"max-events\": 0, \"ttl\": \"1m\"}]}]}"))
        .hasMessageStartingWith("Key apps[0].history[0]: History size of news must be between 1 and 100000 events");
    assertThatThrownBy(() -> BroadcastServerMain.builder(new String[] {"--config", dir.resolve("server.json")
        .toString(), "--history", "news:1:1m"}, Map.of()))
        .hasMessage("--history cannot be combined with a configuration file; set the apps' settings in the file");
  }

  private BroadcastServer.Builder read(String json) throws Exception {
    Path config = Files.writeString(dir.resolve("server.json"), json);
    return BroadcastServerMain.builder(new String[] {"--config", config.toString(), "--port", "0"}, Map.of());
  }

  private static App app(String[] args, Map<String, String> environment) {
    return BroadcastServerMain.builder(args, environment).port(0).build().apps().iterator().next();
  }

  private static List<String> rules(App app) {
    return app.historyRules().stream()
        .map(rule -> rule.channelPattern() + " " + rule.maxEvents() + " " + rule.timeToLive()).toList();
  }

  private static void publish(BroadcastServer server, String channel) {
    server.driver("1").publish(BroadcastMessage.of("Tick", List.of(Channel.of(channel)), "{}")).join();
  }
}
