package dev.broadcasting.doctor.internal;

import dev.broadcasting.Broadcaster;
import dev.broadcasting.doctor.Check;
import dev.broadcasting.doctor.Finding;
import dev.broadcasting.spi.DriverSettings;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The checks for one configuration, in the order they are reported: ports, driver, WebSocket,
 * CORS, auth, events. A check whose settings are missing is reported as skipped, naming them.
 */
public final class CheckList {
  private CheckList() {}

  public static List<Check> of(Map<String, String> raw, Broadcaster appBroadcaster, HttpClient http,
      Duration timeout) {
    DriverSettings settings = DriverSettings.of(raw);
    FrontEnd page = FrontEnd.read(settings);
    String connection = page.connection();
    boolean pusherProtocol = connection.equals("pusher") || connection.equals("server");
    Map<String, String> pusherSettings = pusherProtocol ? PusherApi.pusherSettings(connection, settings, raw) : null;
    RedisTarget redis = connection.equals("redis") ? RedisTarget.read(settings, timeout) : null;

    Map<String, Endpoint> ports = new LinkedHashMap<>();
    if (pusherProtocol) {
      add(ports, Endpoint.of("Pusher HTTP API", PusherApi.baseUrl(pusherSettings), "PUSHER_HOST/PUSHER_PORT"));
    } else if (redis != null) {
      add(ports, redis.endpoint());
    }
    if (page.webSocket() != null) {
      add(ports, Endpoint.of("WebSocket server", page.webSocket(), page.webSocketSetting()));
    }
    if (page.authUrl() != null) {
      add(ports, AuthRequest.endpoint(page));
    }
    List<Check> checks = new ArrayList<>();
    ports.values().forEach(endpoint -> checks.add(new PortCheck(endpoint, timeout)));
    checks.add(driverCheck(connection, settings, pusherSettings, redis, http, timeout));
    checks.add(page.webSocket() != null && page.key() != null ? new WebSocketCheck(page, http, timeout)
        : skip("websocket", "no WebSocket URL for connection " + connection + ": set BROADCAST_DOCTOR_WS_URL, "
            + "or VITE_PUSHER_APP_KEY and VITE_PUSHER_HOST"));
    checks.add(page.authUrl() != null && page.pageOrigin() != null ? new CorsCheck(page, http, timeout)
        : skip("cors", "set BROADCAST_DOCTOR_AUTH_URL and BROADCAST_DOCTOR_PAGE_ORIGIN (the page's origin)"));
    if (page.authUrl() == null) {
      checks.add(skip("auth", "set BROADCAST_DOCTOR_AUTH_URL to the auth endpoint (Echo's authEndpoint)"));
    } else {
      checks.add(page.authHeaderName() != null
          ? new AuthCheck(page, http, pusherProtocol ? PusherAuth.expected(settings) : null, timeout)
          : skip("auth as the test user", "set BROADCAST_DOCTOR_AUTH_HEADER to a logged-in user's cookie or token, "
              + "such as \"Cookie: laravel_session=...\""));
      checks.add(new AuthRefusalCheck(page, http, timeout));
    }
    checks.add(eventFlow(page, connection, pusherSettings, raw, redis, appBroadcaster, http, timeout));
    return checks;
  }

  private static Check driverCheck(String connection, DriverSettings settings, Map<String, String> pusherSettings,
      RedisTarget redis, HttpClient http, Duration timeout) {
    switch (connection) {
      case "pusher": case "server": return new PusherApiCheck(pusherSettings, timeout);
      case "redis": return new RedisCheck(redis, timeout);
      case "ably": return new AblyApiCheck(settings, http, timeout);
      case "log": case "null":
        return () -> Finding.warn("driver " + connection, "events go to the " + connection + " driver; no browser "
            + "receives them", "set BROADCAST_CONNECTION to pusher, server, redis or ably");
      default:
        return skip("driver " + connection, "the doctor has no check for driver " + connection);
    }
  }

  private static Check eventFlow(FrontEnd page, String connection, Map<String, String> pusherSettings,
      Map<String, String> raw, RedisTarget redis, Broadcaster appBroadcaster, HttpClient http, Duration timeout) {
    Supplier<ProbeSubscription> probe;
    if (page.webSocket() != null && page.key() != null) {
      probe = () -> new WebSocketProbe(page, http);
    } else if (redis != null) {
      probe = () -> new RedisProbe(redis);
    } else {
      return skip("events", "no probe subscription for connection " + connection
          + ": set BROADCAST_DOCTOR_WS_URL to a Pusher-protocol server that receives these events");
    }
    if (appBroadcaster != null) {
      return new EventFlowCheck(() -> appBroadcaster, false, null, probe, timeout);
    }
    RetryRecorder retries = new RetryRecorder();
    String driver = pusherSettings != null ? "pusher" : connection;
    Map<String, String> driverSettings = pusherSettings != null ? pusherSettings : raw;
    Supplier<Broadcaster> own = () -> Broadcaster.builder().connection(connection, driver, driverSettings)
        .listener(retries).drainTimeout(Duration.ZERO).build();
    return new EventFlowCheck(own, true, retries, probe, timeout);
  }

  private static void add(Map<String, Endpoint> ports, Endpoint endpoint) {
    // one port serving two roles (the server's HTTP API and its WebSockets) is checked once
    ports.merge(endpoint.address(), endpoint, (first, second) -> new Endpoint(first.role() + " and " + second.role(),
        first.host(), first.port(), first.setting()));
  }

  private static Check skip(String name, String why) {
    return () -> Finding.skip(name, why);
  }
}
