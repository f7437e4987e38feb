package dev.broadcasting.server.internal;

import dev.broadcasting.BroadcastException;
import dev.broadcasting.server.App;
import dev.broadcasting.server.BroadcastServer;
import dev.broadcasting.server.spi.Backplane;
import dev.broadcasting.server.spi.BackplaneProvider;
import dev.broadcasting.spi.DriverSettings;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ServiceLoader;

/**
 * Builds a one-app server from settings, for the {@code server} driver and the standalone main:
 * {@code PUSHER_APP_ID}, {@code PUSHER_APP_KEY}, {@code PUSHER_APP_SECRET} (required), and
 * {@code BROADCAST_SERVER_HOST}, {@code _PORT}, {@code _TLS_CERT}, {@code _TLS_KEY},
 * {@code _ALLOWED_ORIGINS} (comma-separated), {@code _WEBHOOK_URL}, {@code _MAX_CONNECTIONS},
 * {@code _MAX_MESSAGE_SIZE}, {@code _ACTIVITY_TIMEOUT}, {@code _CLIENT_EVENTS} (true/false), and
 * {@code _BACKPLANE} (a URL such as {@code redis://redis:6379}: one node of a cluster, built by
 * the {@link BackplaneProvider} on the classpath that accepts it).
 */
public final class ServerSettingsReader {
  private ServerSettingsReader() {}

  public static BroadcastServer.Builder read(DriverSettings settings) {
    try {
      App.Builder app = App.builder(
          settings.require("PUSHER_APP_ID", "the app id, as in /apps/{id}/events"),
          settings.require("PUSHER_APP_KEY", "the key clients connect with"),
          settings.require("PUSHER_APP_SECRET", "the secret that signs auth and API requests"))
          .maxConnections(settings.getInt("BROADCAST_SERVER_MAX_CONNECTIONS", 0))
          .clientEvents(settings.getBoolean("BROADCAST_SERVER_CLIENT_EVENTS", true));
      String origins = settings.get("BROADCAST_SERVER_ALLOWED_ORIGINS");
      if (origins != null) {
        app.allowedOrigins(origins.split("\\s*,\\s*"));
      }
      String webhook = settings.get("BROADCAST_SERVER_WEBHOOK_URL");
      if (webhook != null) {
        app.webhook(URI.create(webhook));
      }
      BroadcastServer.Builder server = BroadcastServer.builder()
          .host(settings.get("BROADCAST_SERVER_HOST", "0.0.0.0"))
          .port(settings.getInt("BROADCAST_SERVER_PORT", 6001))
          .maxMessageSize(settings.getInt("BROADCAST_SERVER_MAX_MESSAGE_SIZE", 64 * 1024))
          .activityTimeout(settings.getDuration("BROADCAST_SERVER_ACTIVITY_TIMEOUT", Duration.ofSeconds(120)))
          .app(app.build());
      String cert = settings.get("BROADCAST_SERVER_TLS_CERT");
      String key = settings.get("BROADCAST_SERVER_TLS_KEY");
      if ((cert == null) != (key == null)) {
        throw new BroadcastException("Set both BROADCAST_SERVER_TLS_CERT and BROADCAST_SERVER_TLS_KEY, or neither");
      }
      if (cert != null) {
        server.tls(Path.of(cert), Path.of(key));
      }
      String backplane = settings.get("BROADCAST_SERVER_BACKPLANE");
      if (backplane != null) {
        server.backplane(backplane(backplane, settings));
      }
      return server;
    } catch (IllegalArgumentException e) {
      throw new BroadcastException("Broadcast server settings are invalid: " + e.getMessage(), e);
    }
  }

  private static Backplane backplane(String url, DriverSettings settings) {
    for (BackplaneProvider provider : ServiceLoader.load(BackplaneProvider.class)) {
      if (provider.accepts(url)) {
        return provider.create(url, settings);
      }
    }
    throw new BroadcastException("No backplane on the classpath accepts BROADCAST_SERVER_BACKPLANE="
        + url.replaceAll("//[^@/]*@", "//***@") + "; for redis:// add the dev.broadcasting:broadcasting-server-redis "
        + "artifact");
  }
}
