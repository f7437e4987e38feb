package dev.broadcasting.server;

import dev.broadcasting.BroadcastException;
import dev.broadcasting.server.internal.ServerSettingsReader;
import dev.broadcasting.spi.DriverSettings;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * Runs a {@link BroadcastServer} on its own, for one app, configured from the environment or from
 * flags (a flag wins over its variable):
 *
 * <pre>{@code
 * PUSHER_APP_ID=1 PUSHER_APP_KEY=app-key PUSHER_APP_SECRET=app-secret \
 *   java -cp ... dev.broadcasting.server.BroadcastServerMain --port 6001
 * }</pre>
 *
 * <p>Flags: {@code --app-id}, {@code --app-key}, {@code --app-secret}, {@code --host}, {@code --port},
 * {@code --tls-cert}, {@code --tls-key}, {@code --allowed-origins}, {@code --webhook-url},
 * {@code --max-connections}, {@code --max-message-size}, {@code --activity-timeout},
 * {@code --client-events}, {@code --backplane} (e.g. {@code redis://redis:6379}, with
 * broadcasting-server-redis on the classpath: this server is then one node of a cluster). The matching variables are {@code PUSHER_APP_ID}, {@code PUSHER_APP_KEY},
 * {@code PUSHER_APP_SECRET} and {@code BROADCAST_SERVER_<FLAG>} for the rest.
 */
public final class BroadcastServerMain {
  private BroadcastServerMain() {}

  public static void main(String[] args) throws InterruptedException {
    BroadcastServer server;
    try {
      server = ServerSettingsReader.read(settings(args, System.getenv())).build().start();
    } catch (BroadcastException | IllegalArgumentException | IllegalStateException e) {
      System.err.println("broadcast server: " + e.getMessage());
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

  /** The environment overlaid with the flags, under the environment's names. */
  static DriverSettings settings(String[] args, Map<String, String> environment) {
    Map<String, String> values = new HashMap<>(environment);
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
      values.put(variable(flag), value);
    }
    return DriverSettings.of(values);
  }

  private static String variable(String flag) {
    switch (flag) {
      case "app-id": return "PUSHER_APP_ID";
      case "app-key": return "PUSHER_APP_KEY";
      case "app-secret": return "PUSHER_APP_SECRET";
      case "host": case "port": case "tls-cert": case "tls-key": case "allowed-origins": case "webhook-url":
      case "max-connections": case "max-message-size": case "activity-timeout": case "client-events":
      case "backplane":
        return "BROADCAST_SERVER_" + flag.toUpperCase(java.util.Locale.ROOT).replace('-', '_');
      default:
        throw new IllegalArgumentException("Unknown flag --" + flag + "; see the BroadcastServerMain javadoc");
    }
  }
}
