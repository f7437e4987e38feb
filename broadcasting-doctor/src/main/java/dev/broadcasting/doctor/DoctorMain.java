package dev.broadcasting.doctor;

import dev.broadcasting.BroadcastException;
import dev.broadcasting.doctor.internal.DotEnv;
import dev.broadcasting.spi.DriverSettings;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The doctor as a command: reads the application's settings from the environment, a {@code .env}
 * file and {@code --set} flags, runs every check and prints one line per check.
 *
 * <pre>{@code
 * ./mvnw -pl broadcasting-doctor exec:java -Dexec.args="--env ../.env --set BROADCAST_DOCTOR_PAGE_ORIGIN=http://localhost:5173"
 * }</pre>
 *
 * <p>Exit status: 0 when no check failed, 1 when one did, 2 when the settings or flags are wrong.
 */
public final class DoctorMain {
  static final String HELP = String.join("\n",
      "Usage: broadcasting-doctor [--env FILE] [--set NAME=VALUE]... [--timeout 5s]",
      "",
      "Checks, one line each: the ports answer; the driver accepts the credentials (pusher/server: a signed",
      "GET /apps/{id}/channels; redis: PING and PUBLISH; ably: an authenticated GET /channels/{x}); the page's",
      "WebSocket URL speaks the Pusher protocol for its key, with the right TLS; CORS lets the page's origin",
      "through; the auth endpoint signs for the test user and refuses a stranger; a probe event published",
      "through the queue comes back on a probe subscription.",
      "",
      "Settings are read from the environment, then FILE (a Laravel .env), then --set, the later winning:",
      "  BROADCAST_CONNECTION          pusher, server, redis, ably (and the driver's PUSHER_*, REDIS_*, ABLY_*,",
      "                                BROADCAST_SERVER_* variables, as the Broadcaster reads them)",
      "  VITE_PUSHER_APP_KEY, VITE_PUSHER_HOST, VITE_PUSHER_PORT, VITE_PUSHER_SCHEME",
      "                                what the page's Echo uses (each defaults to its PUSHER_* twin)",
      "  BROADCAST_DOCTOR_WS_URL       the page's WebSocket URL whole, e.g. wss://ws.example.com:443",
      "  BROADCAST_DOCTOR_AUTH_URL     the auth endpoint, e.g. http://localhost:8080/broadcasting/auth",
      "  BROADCAST_DOCTOR_AUTH_HEADER  how the test user logs in, e.g. \"Cookie: session=...\"",
      "  BROADCAST_DOCTOR_CSRF_HEADER  the test user's CSRF token, when the route checks it, e.g.",
      "                                \"X-XSRF-TOKEN: ...\" (the same session's XSRF-TOKEN cookie)",
      "  BROADCAST_DOCTOR_AUTH_CHANNEL a private channel the test user may join (private-broadcasting-doctor)",
      "  BROADCAST_DOCTOR_PAGE_ORIGIN  the page's origin, e.g. http://localhost:5173",
      "",
      "Exit status: 0 when no check failed, 1 when one did, 2 when the settings or flags are wrong.");

  private DoctorMain() {}

  public static void main(String[] args) {
    // the lines are the output: the library's own log of the probe (an event abandoned on close) is noise here
    if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
      System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "off");
    }
    int status = run(args, System.getenv(), System.out, System.err);
    if (status != 0) {
      System.exit(status);
    }
  }

  static int run(String[] args, Map<String, String> environment, PrintStream out, PrintStream err) {
    Map<String, String> settings = new LinkedHashMap<>(environment);
    Duration timeout = null;
    try {
      for (int i = 0; i < args.length; i++) {
        switch (args[i]) {
          case "--help": case "-h":
            out.println(HELP);
            return 0;
          case "--env":
            Path file = Path.of(value(args, ++i, "--env"));
            settings.putAll(DotEnv.parse(Files.readAllLines(file), settings));
            break;
          case "--set":
            String pair = value(args, ++i, "--set");
            int eq = pair.indexOf('=');
            if (eq < 1) {
              throw new IllegalArgumentException("--set needs NAME=VALUE but was \"" + pair + "\"");
            }
            settings.put(pair.substring(0, eq), pair.substring(eq + 1));
            break;
          case "--timeout":
            // parsed as the settings' durations are: 500ms, 5s, PT5S
            timeout = DriverSettings.of(Map.of("--timeout", value(args, ++i, "--timeout"))).getDuration("--timeout", null);
            break;
          default:
            throw new IllegalArgumentException("unknown argument \"" + args[i] + "\"; see --help");
        }
      }
      Doctor.Builder doctor = Doctor.builder().settings(settings);
      if (timeout != null) {
        doctor.timeout(timeout);
      }
      Diagnosis diagnosis = doctor.build().run(f -> out.println(f.line()));
      out.println(diagnosis.healthy() ? "No check failed." : diagnosis.failures().size()
          + (diagnosis.failures().size() == 1 ? " check failed." : " checks failed."));
      return diagnosis.healthy() ? 0 : 1;
    } catch (IllegalArgumentException | IllegalStateException | BroadcastException e) {
      err.println("broadcasting-doctor: " + e.getMessage());
      return 2;
    } catch (IOException e) {
      err.println("broadcasting-doctor: cannot read " + e.getMessage());
      return 2;
    }
  }

  private static String value(String[] args, int i, String flag) {
    if (i >= args.length) {
      throw new IllegalArgumentException(flag + " needs a value; see --help");
    }
    return args[i];
  }
}
