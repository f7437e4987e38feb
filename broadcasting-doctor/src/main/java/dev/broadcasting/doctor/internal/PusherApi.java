package dev.broadcasting.doctor.internal;

import dev.broadcasting.internal.DriverRegistry;
import dev.broadcasting.pusher.PusherBroadcastDriver;
import dev.broadcasting.spi.DriverSettings;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The Pusher HTTP API the application publishes to: Pusher itself, any compatible server, or
 * the project's own standalone server ({@code BROADCAST_CONNECTION=server} run as its own process,
 * reached on {@code BROADCAST_SERVER_HOST} and {@code BROADCAST_SERVER_PORT}).
 */
public final class PusherApi {
  private PusherApi() {}

  /** The settings of a {@code pusher} connection to the same API. */
  public static Map<String, String> pusherSettings(String connection, DriverSettings settings, Map<String, String> raw) {
    Map<String, String> copy = new LinkedHashMap<>(raw);
    if (connection.equals("server")) {
      copy.put("PUSHER_HOST", Addresses.reachable(settings.get("BROADCAST_SERVER_HOST", "127.0.0.1")));
      copy.put("PUSHER_PORT", String.valueOf(settings.getInt("BROADCAST_SERVER_PORT", 6001)));
      copy.put("PUSHER_SCHEME", settings.get("BROADCAST_SERVER_TLS_CERT") == null ? "http" : "https");
    }
    return copy;
  }

  public static PusherBroadcastDriver driver(Map<String, String> pusherSettings) {
    return (PusherBroadcastDriver) DriverRegistry.create("pusher", DriverSettings.of(pusherSettings));
  }

  /** The API's base URL, as the pusher driver derives it. */
  public static URI baseUrl(Map<String, String> pusherSettings) {
    DriverSettings settings = DriverSettings.of(pusherSettings);
    String host = settings.get("PUSHER_HOST");
    String scheme = settings.get("PUSHER_SCHEME", "https");
    if (host == null) {
      return URI.create("https://api-" + settings.get("PUSHER_APP_CLUSTER", "mt1") + ".pusher.com:443");
    }
    int port = settings.getInt("PUSHER_PORT", scheme.equals("https") ? 443 : 80);
    return URI.create(scheme + "://" + host + ":" + port);
  }
}
