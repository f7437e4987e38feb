package dev.broadcasting.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.broadcasting.server.internal.ServerSettingsReader;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The standalone command line: flags, variables, the configuration file, and errors naming what the user set. */
class BroadcastServerMainTest {
  private static final Map<String, String> ONE_APP =
      Map.of("PUSHER_APP_ID", "1", "PUSHER_APP_KEY", "app-key", "PUSHER_APP_SECRET", "app-secret");

  @TempDir
  Path dir;

  @Test
  void aBadValueIsReportedAsTheFlagOrVariableThatWasSet() {
    assertThatThrownBy(() -> BroadcastServerMain.builder(new String[] {"--port", "6001x"}, ONE_APP))
        .hasMessage("Flag --port must be a whole number but was \"6001x\"");
    assertThatThrownBy(() -> BroadcastServerMain.builder(new String[0],
        Map.of("PUSHER_APP_ID", "1", "PUSHER_APP_KEY", "k", "PUSHER_APP_SECRET", "s", "BROADCAST_SERVER_PORT", "x")))
        .hasMessage("Setting BROADCAST_SERVER_PORT must be a whole number but was \"x\"");
    assertThatThrownBy(() -> BroadcastServerMain.builder(new String[] {"--tls-cert", "/a.pem"}, ONE_APP))
        .hasMessage("Set both --tls-cert and BROADCAST_SERVER_TLS_KEY, or neither");
    assertThatThrownBy(() -> BroadcastServerMain.builder(new String[] {"--max-connections=-1"}, ONE_APP))
        .hasMessage("Broadcast server settings are invalid: --max-connections must be at least 0 but was -1");
    assertThatThrownBy(() -> BroadcastServerMain.builder(new String[] {"--pong-timeout", "0s"}, ONE_APP))
        .hasMessageStartingWith("Broadcast server settings are invalid: --pong-timeout must");
  }

  @Test
  void theDashboardIsTurnedOnByAFlagOrByAnOperatorLogin() throws Exception {
    try (BroadcastServer off = BroadcastServerMain.builder(new String[] {"--port", "0"}, ONE_APP).build().start();
        BroadcastServer on = BroadcastServerMain.builder(new String[] {"--port", "0", "--dashboard", "true"}, ONE_APP)
            .build().start();
        BroadcastServer operator = BroadcastServerMain.builder(new String[] {"--port", "0", "--dashboard-user", "admin"},
            withVariable("BROADCAST_SERVER_DASHBOARD_PASSWORD", "a-long-enough-password")).build().start()) {
      assertThat(status(off, "/dashboard")).isEqualTo(404);
      assertThat(status(on, "/dashboard")).isEqualTo(200);
      assertThat(login(operator, "admin", "a-long-enough-password")).isEqualTo(200);
      assertThat(login(on, "admin", "a-long-enough-password")).isEqualTo(401);
    }
    assertThatThrownBy(() -> BroadcastServerMain.builder(new String[] {"--dashboard-user", "admin"}, ONE_APP))
        .hasMessage("Set both --dashboard-user and BROADCAST_SERVER_DASHBOARD_PASSWORD, or neither (then the dashboard "
            + "takes an app's key and secret)");
    assertThatThrownBy(() -> BroadcastServerMain.builder(new String[] {"--dashboard-user", "admin",
        "--dashboard-password", "short"}, ONE_APP))
        .hasMessageStartingWith("Broadcast server settings are invalid: The dashboard password must be at least 12");
  }

  private static Map<String, String> withVariable(String name, String value) {
    Map<String, String> env = new java.util.HashMap<>(ONE_APP);
    env.put(name, value);
    return env;
  }

  private static int status(BroadcastServer server, String path) throws Exception {
    return WsClient.HTTP.send(java.net.http.HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
        .build(), java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  private static int login(BroadcastServer server, String user, String password) throws Exception {
    return WsClient.HTTP.send(java.net.http.HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + server.port() + "/dashboard/login"))
        .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"user\":\"" + user + "\",\"password\":\""
            + password + "\"}")).build(), java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  @Test
  void theHelpListsEveryFlag() {
    String usage = BroadcastServerMain.usage();
    for (String setting : ServerSettingsReader.SERVER_SETTINGS) {
      assertThat(usage).contains("--" + setting);
    }
    for (String setting : ServerSettingsReader.APP_SETTINGS) {
      assertThat(usage).contains("--" + setting);
    }
    assertThat(usage).contains("--config");
  }

  @Test
  void flagsSetEveryAppLimit() {
    App app = single(BroadcastServerMain.builder(new String[] {"--max-connections", "7", "--client-events", "false",
        "--client-events-per-second", "3", "--max-presence-members", "4", "--max-presence-member-info-bytes", "64",
        "--max-event-payload-bytes", "2048", "--max-channels-per-event", "5", "--max-batch-size", "6",
        "--allowed-origins", "https://a.example, https://b.example", "--webhook-url", "https://hooks.example/in",
        "--webhook-events", "member_added,member_removed", "--pong-timeout", "5s", "--max-outbound-buffer-size", "4096"},
        ONE_APP).port(0).build());
    assertThat(List.of(app.maxConnections(), app.clientEventsPerSecond(), app.maxPresenceMembers(),
        app.maxPresenceMemberInfoBytes(), app.maxEventPayloadBytes(), app.maxChannelsPerEvent(), app.maxBatchSize()))
        .containsExactly(7, 3, 4, 64, 2048, 5, 6);
    assertThat(app.clientEventsEnabled()).isFalse();
    assertThat(app.allowedOrigins()).containsExactly("https://a.example", "https://b.example");
    assertThat(app.webhooks()).containsExactly(URI.create("https://hooks.example/in"));
    assertThat(app.webhookEvents()).isEqualTo(EnumSet.of(App.WebhookEvent.MEMBER_ADDED, App.WebhookEvent.MEMBER_REMOVED));
  }

  @Test
  void aConfigurationFileDescribesSeveralApps() throws Exception {
    Path config = Files.writeString(dir.resolve("server.json"), """
        {"host": "127.0.0.1", "port": 7001,
         "apps": [
           {"id": "1", "key": "key-one", "secret": "secret-one",
            "allowed-origins": ["https://shop.example", "https://*.shop.example"],
            "webhook-url": ["https://shop.example/hooks"], "webhook-events": ["channel_occupied"],
            "max-connections": 1000, "client-events": false, "max-batch-size": 20},
           {"id": "2", "key": "key-two", "secret": "secret-two"}]}
        """);
    BroadcastServer server = BroadcastServerMain.builder(new String[] {"--config", config.toString(), "--port", "0"},
        Map.of()).build();
    assertThat(server.apps()).extracting(App::id, App::key).containsExactly(
        org.assertj.core.groups.Tuple.tuple("1", "key-one"), org.assertj.core.groups.Tuple.tuple("2", "key-two"));
    App one = server.apps().iterator().next();
    assertThat(one.allowedOrigins()).containsExactly("https://shop.example", "https://*.shop.example");
    assertThat(one.webhooks()).containsExactly(URI.create("https://shop.example/hooks"));
    assertThat(one.webhookEvents()).containsExactly(App.WebhookEvent.CHANNEL_OCCUPIED);
    assertThat(one.maxConnections()).isEqualTo(1000);
    assertThat(one.clientEventsEnabled()).isFalse();
    assertThat(one.maxBatchSize()).isEqualTo(20);
    // --port 0 won over the file's 7001: a free port once started
    try (BroadcastServer started = server.start()) {
      assertThat(started.port()).isNotEqualTo(7001).isPositive();
    }
  }

  @Test
  void aConfigurationFileThatIsWrongSaysWhereAndWhat() throws Exception {
    assertThatThrownBy(() -> read("{\"prot\": 6001, \"apps\": []}"))
        .hasMessageEndingWith("is invalid: unknown key \"prot\"; the server's keys are "
            + ServerSettingsReader.SERVER_SETTINGS + " and \"apps\"")
        .hasMessageContaining("[host, port, tls-cert, tls-key, max-message-size, max-request-size, activity-timeout, ");
    assertThatThrownBy(() -> read("{\"apps\": [{\"id\": \"1\", \"key\": \"k\", \"secret\": \"s\", \"max-conections\": 5}]}"))
        .hasMessageContaining("unknown key \"max-conections\" in apps[0]");
    assertThatThrownBy(() -> read("{\"apps\": [{\"id\": \"1\", \"key\": \"k\", \"secret\": \"s\", \"max-connections\": \"many\"}]}"))
        .hasMessageStartingWith("Key apps[0].max-connections must be a whole number but was \"many\" (in ");
    assertThatThrownBy(() -> read("{\"apps\": [{\"id\": \"1\", \"key\": \"k\", \"secret\": \"s\", \"max-batch-size\": 0}]}"))
        .hasMessageStartingWith("Broadcast server settings are invalid: apps[0].max-batch-size must be at least 1 but was 0");
    assertThatThrownBy(() -> read("{\"apps\": [{\"id\": \"1\", \"key\": \"k\"}]}"))
        .hasMessageStartingWith("Missing setting apps[0].secret (the secret that signs auth and API requests) (in ");
    assertThatThrownBy(() -> read("{\"port\": \"x\", \"apps\": [{\"id\": \"1\", \"key\": \"k\", \"secret\": \"s\"}]}"))
        .hasMessageStartingWith("Key port must be a whole number but was \"x\" (in ");
    assertThatThrownBy(() -> read("{\"apps\": [{\"id\": \"1\",}]}")).hasMessageContaining("is not valid JSON")
        .hasMessageContaining("line 1");
    assertThatThrownBy(() -> read("{\"port\": 1}")).hasMessageContaining("it has no \"apps\"");
    Path config = Files.writeString(dir.resolve("ok.json"), "{\"apps\": [{\"id\": \"1\", \"key\": \"k\", \"secret\": \"s\"}]}");
    assertThatThrownBy(() -> BroadcastServerMain.builder(
        new String[] {"--config", config.toString(), "--app-id", "2"}, Map.of()))
        .hasMessage("--app-id cannot be combined with a configuration file; set the apps' settings in the file");
  }

  private BroadcastServer.Builder read(String json) throws Exception {
    Path config = Files.writeString(dir.resolve("server.json"), json);
    return BroadcastServerMain.builder(new String[] {"--config", config.toString()}, Map.of());
  }

  private static App single(BroadcastServer server) {
    assertThat(server.apps()).hasSize(1);
    return server.apps().iterator().next();
  }
}
