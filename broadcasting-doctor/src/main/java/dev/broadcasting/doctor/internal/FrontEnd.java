package dev.broadcasting.doctor.internal;

import dev.broadcasting.BroadcastException;
import dev.broadcasting.spi.DriverSettings;
import java.net.URI;

/**
 * What the page is configured with, read from the variables a Laravel front end is built from:
 * {@code VITE_PUSHER_APP_KEY}, {@code VITE_PUSHER_HOST}, {@code VITE_PUSHER_PORT},
 * {@code VITE_PUSHER_SCHEME} (each falling back to its {@code PUSHER_} twin, as Laravel's
 * {@code .env} does), or {@code BROADCAST_DOCTOR_WS_URL} given whole; and the doctor's own
 * {@code BROADCAST_DOCTOR_AUTH_URL}, {@code BROADCAST_DOCTOR_AUTH_HEADER},
 * {@code BROADCAST_DOCTOR_CSRF_HEADER}, {@code BROADCAST_DOCTOR_AUTH_CHANNEL} and
 * {@code BROADCAST_DOCTOR_PAGE_ORIGIN}.
 *
 * @param csrfHeaderName the header that carries the test user's CSRF token, as the page sends it
 *     (Laravel's {@code X-XSRF-TOKEN} or {@code X-CSRF-TOKEN}), or null
 */
public record FrontEnd(String connection, String key, URI webSocket, String webSocketSetting, URI authUrl,
    String authHeaderName, String authHeaderValue, String csrfHeaderName, String csrfHeaderValue, String authChannel,
    String pageOrigin) {

  public static FrontEnd read(DriverSettings settings) {
    String connection = settings.get("BROADCAST_CONNECTION", settings.get("BROADCAST_DRIVER", "log"));
    String key = settings.get("VITE_PUSHER_APP_KEY", settings.get("PUSHER_APP_KEY"));
    URI webSocket;
    String setting;
    String whole = settings.get("BROADCAST_DOCTOR_WS_URL");
    if (whole != null) {
      webSocket = uri("BROADCAST_DOCTOR_WS_URL", whole);
      setting = "BROADCAST_DOCTOR_WS_URL";
    } else if (connection.equals("pusher") || connection.equals("server")) {
      webSocket = pusherSocket(settings, connection);
      setting = "VITE_PUSHER_HOST/VITE_PUSHER_PORT";
    } else {
      webSocket = null;
      setting = "BROADCAST_DOCTOR_WS_URL";
    }
    String auth = settings.get("BROADCAST_DOCTOR_AUTH_URL");
    String[] login = header(settings, "BROADCAST_DOCTOR_AUTH_HEADER",
        "\"Cookie: laravel_session=...\" or \"Authorization: Bearer ...\"");
    String[] csrf = header(settings, "BROADCAST_DOCTOR_CSRF_HEADER",
        "\"X-XSRF-TOKEN: \" and the XSRF-TOKEN cookie's value");
    String origin = settings.get("BROADCAST_DOCTOR_PAGE_ORIGIN");
    if (origin != null) {
      URI page = uri("BROADCAST_DOCTOR_PAGE_ORIGIN", origin);
      origin = page.getScheme() + "://" + page.getRawAuthority();
    }
    return new FrontEnd(connection, key, webSocket, setting,
        auth == null ? null : uri("BROADCAST_DOCTOR_AUTH_URL", auth), login[0], login[1], csrf[0], csrf[1],
        settings.get("BROADCAST_DOCTOR_AUTH_CHANNEL", "private-broadcasting-doctor"), origin);
  }

  /** A {@code Name: value} setting as its name and value; both null when it is not set. */
  private static String[] header(DriverSettings settings, String setting, String example) {
    String header = settings.get(setting);
    if (header == null) {
      return new String[2];
    }
    int colon = header.indexOf(':');
    if (colon < 1) {
      throw new BroadcastException("Setting " + setting + " must be \"Name: value\", such as " + example
          + ", but has no name before a ':'");
    }
    return new String[] {header.substring(0, colon).trim(), header.substring(colon + 1).trim()};
  }

  /** Whether the page uses TLS (Echo's {@code forceTLS}). */
  public boolean tls() {
    return webSocket != null && "wss".equals(webSocket.getScheme());
  }

  /** The URL pusher-js opens for this key: {@code /app/{key}?protocol=7&...}. */
  public URI pusherUrl(boolean tls) {
    return URI.create((tls ? "wss" : "ws") + "://" + webSocket.getRawAuthority() + "/app/" + key
        + "?protocol=7&client=broadcasting-doctor&version=1&flash=false");
  }

  private static URI pusherSocket(DriverSettings settings, String connection) {
    boolean server = connection.equals("server");
    String host = settings.get("VITE_PUSHER_HOST", settings.get("PUSHER_HOST"));
    String scheme = settings.get("VITE_PUSHER_SCHEME", settings.get("PUSHER_SCHEME"));
    if (host == null && server) {
      host = Addresses.reachable(settings.get("BROADCAST_SERVER_HOST", "127.0.0.1"));
    } else if (host == null) {
      host = "ws-" + settings.get("VITE_PUSHER_APP_CLUSTER", settings.get("PUSHER_APP_CLUSTER", "mt1")) + ".pusher.com";
    }
    if (scheme == null) {
      scheme = server && settings.get("BROADCAST_SERVER_TLS_CERT") == null ? "http" : "https";
    }
    boolean tls = scheme.equals("https");
    int port = settings.getInt("VITE_PUSHER_PORT",
        settings.getInt("PUSHER_PORT", server ? settings.getInt("BROADCAST_SERVER_PORT", 6001) : tls ? 443 : 80));
    return URI.create((tls ? "wss" : "ws") + "://" + host + ":" + port);
  }

  static URI uri(String setting, String value) {
    try {
      URI uri = URI.create(value);
      if (uri.getScheme() == null || uri.getHost() == null) {
        throw new IllegalArgumentException("no scheme or host");
      }
      return uri;
    } catch (IllegalArgumentException e) {
      throw new BroadcastException("Setting " + setting + " must be a URL such as http://localhost:8080/broadcasting/auth"
          + " but was \"" + value + "\"");
    }
  }

  /** No secret: the headers' values are left out. */
  @Override
  public String toString() {
    return "FrontEnd{connection=" + connection + ", webSocket=" + webSocket + ", authUrl=" + authUrl
        + ", authHeader=" + authHeaderName + ", csrfHeader=" + csrfHeaderName + ", pageOrigin=" + pageOrigin + "}";
  }
}
