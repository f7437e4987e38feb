package dev.broadcasting.server;

import dev.broadcasting.BroadcastException;
import dev.broadcasting.server.internal.ServerConfigFile;
import dev.broadcasting.server.internal.ServerSettingsReader;
import dev.broadcasting.spi.DriverSettings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * Runs a {@link BroadcastServer} on its own: for one app from flags and variables, or for the apps
 * of a configuration file. A flag wins over its variable, and both over the file.
 *
 * <pre>{@code
 * java -jar broadcasting-server-standalone.jar --app-id 1 --app-key app-key --app-secret app-secret --port 6001
 * java -jar broadcasting-server-standalone.jar --config broadcasting-server.json
 * }</pre>
 *
 * <p>{@code --help} lists the flags; {@link ServerSettingsReader} and {@link ServerConfigFile} read them.
 */
public final class BroadcastServerMain {
  private BroadcastServerMain() {}

  public static void main(String[] args) throws InterruptedException {
    if (List.of(args).contains("--help") || List.of(args).contains("-h")) {
      System.out.print(usage());
      return;
    }
    BroadcastServer server;
    try {
      server = builder(args, System.getenv()).build().start();
    } catch (BroadcastException | IllegalArgumentException | IllegalStateException e) {
      System.err.println("broadcast server: " + e.getMessage());
      System.err.println("(--help lists the flags)");
      System.exit(2);
      return;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close();
      stopped.countDown();
    }, "broadcast-server-shutdown"));
    stopped.await();
  }

  /** The server the command line and environment describe; errors name the flag when a flag set the value. */
  static BroadcastServer.Builder builder(String[] args, Map<String, String> environment) {
    Map<String, String> flags = flags(args);
    Map<String, String> values = new HashMap<>(environment);
    flags.forEach((flag, value) -> values.put(ServerSettingsReader.variable(flag), value));
    try {
      String config = values.get("BROADCAST_SERVER_CONFIG");
      if (config == null || config.isBlank()) {
        return ServerSettingsReader.read(DriverSettings.of(values));
      }
      List<String> appFlags = new ArrayList<>(flags.keySet());
      appFlags.retainAll(ServerSettingsReader.APP_SETTINGS);
      if (!appFlags.isEmpty()) {
        throw new IllegalArgumentException("--" + String.join(", --", appFlags) + " cannot be combined with a "
            + "configuration file; set the apps' settings in the file");
      }
      Map<String, String> overrides = new HashMap<>();
      for (String setting : ServerSettingsReader.SERVER_SETTINGS) {
        String value = values.get(ServerSettingsReader.variable(setting));
        if (value != null) {
          overrides.put(ServerSettingsReader.variable(setting), value);
        }
      }
      return ServerConfigFile.read(Path.of(config.strip()), overrides);
    } catch (BroadcastException e) {
      String message = e.getMessage();
      for (String flag : flags.keySet()) {
        message = message.replace("Setting " + ServerSettingsReader.variable(flag), "Flag --" + flag)
            .replace(ServerSettingsReader.variable(flag), "--" + flag)
            .replaceAll("(?<![-.\\w])" + ServerSettingsReader.builderMethod(flag) + " must", "--" + flag + " must");
      }
      throw new BroadcastException(message, e);
    }
  }

  /** The environment overlaid with the flags, under the environment's names. */
  static DriverSettings settings(String[] args, Map<String, String> environment) {
    Map<String, String> values = new HashMap<>(environment);
    flags(args).forEach((flag, value) -> values.put(ServerSettingsReader.variable(flag), value));
    return DriverSettings.of(values);
  }

  /** {@code --name value} and {@code --name=value}, by name, in order. */
  private static Map<String, String> flags(String[] args) {
    Map<String, String> flags = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (!arg.startsWith("--")) {
        throw new IllegalArgumentException("Unexpected argument \"" + arg + "\"; flags look like --port 6001");
      }
      String flag = arg.substring(2);
      String value;
      int equals = flag.indexOf('=');
      if (equals >= 0) {
        value = flag.substring(equals + 1);
        flag = flag.substring(0, equals);
      } else if (i + 1 < args.length) {
        value = args[++i];
      } else {
        throw new IllegalArgumentException("Flag --" + flag + " needs a value");
      }
      if (!flag.equals("config") && !ServerSettingsReader.SERVER_SETTINGS.contains(flag)
          && !ServerSettingsReader.APP_SETTINGS.contains(flag)) {
        throw new IllegalArgumentException("Unknown flag --" + flag + "; --help lists the flags");
      }
      flags.put(flag, value);
    }
    return flags;
  }

  static String usage() {
    return String.join("\n",
        "Usage: java -jar broadcasting-server-standalone.jar [--flag value]...",
        "       java -jar broadcasting-server-standalone.jar --config broadcasting-server.json",
        "",
        "A Pusher-protocol (7) WebSocket server with the Pusher HTTP API. Each flag has a variable;",
        "a flag wins over its variable, and both over the configuration file's server settings.",
        "",
        "  --config FILE              BROADCAST_SERVER_CONFIG     JSON: server settings and \"apps\": [...]",
        "  --app-id, --app-key, --app-secret                      one app (not with --config)",
        "                             PUSHER_APP_ID, PUSHER_APP_KEY, PUSHER_APP_SECRET",
        "  --host ADDRESS             BROADCAST_SERVER_HOST       default 0.0.0.0",
        "  --port N                   BROADCAST_SERVER_PORT       default 6001",
        "  --tls-cert PEM, --tls-key PEM                          wss:// and https:// (default: plain)",
        "                             BROADCAST_SERVER_TLS_CERT, BROADCAST_SERVER_TLS_KEY",
        "  --max-message-size BYTES   BROADCAST_SERVER_MAX_MESSAGE_SIZE     default 65536",
        "  --max-request-size BYTES   BROADCAST_SERVER_MAX_REQUEST_SIZE     default 1048576",
        "  --activity-timeout TIME    BROADCAST_SERVER_ACTIVITY_TIMEOUT     default 120s",
        "  --pong-timeout TIME        BROADCAST_SERVER_PONG_TIMEOUT         default 30s",
        "  --max-outbound-buffer-size BYTES            per socket; default 1048576",
        "                             BROADCAST_SERVER_MAX_OUTBOUND_BUFFER_SIZE",
        "  --dashboard true|false     BROADCAST_SERVER_DASHBOARD  the dashboard at /dashboard (default false);",
        "                             log in with an app's key and secret",
        "  --dashboard-user NAME, --dashboard-password TEXT       also log in to every app (turns it on);",
        "                             BROADCAST_SERVER_DASHBOARD_USER, BROADCAST_SERVER_DASHBOARD_PASSWORD",
        "                             (prefer the variable for the password: flags show in ps)",
        "  --backplane URL            BROADCAST_SERVER_BACKPLANE  one node of a cluster, e.g. redis://redis:6379",
        "                             (needs broadcasting-server-redis on the classpath)",
        "  --backplane-lease TIME     BROADCAST_SERVER_BACKPLANE_LEASE     default 20s",
        "  --backplane-node-id ID     BROADCAST_SERVER_BACKPLANE_NODE_ID   default host, pid and a random number",
        "Slow and crowded connections (TIME 0 turns a deadline off):",
        "  --first-bytes-timeout TIME                  default 5s, from accept to the first byte",
        "  --request-headers-timeout TIME              default 10s, from the first byte to the end of the headers",
        "  --request-body-timeout TIME                 default 10s, from the headers to the end of the body",
        "  --keep-alive-timeout TIME                   default 30s, idle between HTTP requests",
        "  --max-opening-connections-per-address N     default 64 (0: no limit), connections not yet past",
        "                                              their request headers, per remote address",
        "  --trusted-proxies LIST     reverse proxies' IP addresses, e.g. 127.0.0.1 (default none);",
        "                             connections from them are not counted per address",
        "",
        "Per app (flags for the one app, keys of each object in the file's \"apps\"):",
        "  --allowed-origins LIST     origins that may connect, e.g. https://example.com (default any)",
        "  --webhook-url LIST         URLs that receive signed webhooks (default none)",
        "  --webhook-events LIST      channel_occupied, channel_vacated, member_added, member_removed,",
        "                             client_event (default all)",
        "  --max-connections N        default 0, no limit",
        "  --client-events true|false default true",
        "  --client-events-per-second N                default 10 (0: no limit)",
        "  --max-presence-members N                    default 100",
        "  --max-presence-member-info-bytes N          default 1024",
        "  --max-event-payload-bytes N                 default 10240",
        "  --max-channels-per-event N                  default 100",
        "  --max-batch-size N                          default 10",
        "  --max-channels-per-connection N             default 100",
        "  --max-cache-channels N                      default 10000, cache channels whose last event is kept",
        "  --webhook-batch-events N                    default 20, events in one webhook request",
        "  --webhook-batch-window TIME                 default 250ms, how long a batch waits for more events",
        "  --webhook-concurrency N                     default 2, requests in flight per webhook URL (1 to 64)",
        "  --webhook-retry-for TIME                    default 5m, how long a failed request is retried",
        "  --webhook-backlog-bytes BYTES               default 1048576, events waiting per webhook URL",
        "  --history RULES            channels that keep history, which clients that resubscribe get replayed",
        "                             (default none, no recovery): pattern:max-events:ttl, comma-separated,",
        "                             first match wins, * any run of characters, e.g.",
        "                             presence-chat:100:2m,private-user.*:100:2m; in the file also",
        "                             [{\"channels\": \"presence-chat\", \"max-events\": 100, \"ttl\": \"2m\"}]",
        "  --max-history-channels N                    default 10000, channels whose history is kept in memory",
        "Their variables are BROADCAST_SERVER_ and the name in capitals, e.g. BROADCAST_SERVER_MAX_CONNECTIONS.",
        "LIST is comma-separated (an array in the file). TIME is 500ms, 5s, 2m or PT5S.",
        "",
        "Configuration file:",
        "  {\"port\": 6001,",
        "   \"apps\": [{\"id\": \"1\", \"key\": \"app-key\", \"secret\": \"app-secret\",",
        "             \"allowed-origins\": [\"https://example.com\"],",
        "             \"webhook-url\": \"https://example.com/pusher/webhooks\", \"max-connections\": 1000}]}",
        "");
  }
}
