package dev.broadcasting.doctor;

import dev.broadcasting.server.App;
import dev.broadcasting.server.BroadcastServer;
import java.util.HashMap;
import java.util.Map;

/** The project's own Pusher-protocol server on a free port, app 1 with key {@code app-key}, and the settings of an application using it. */
final class EmbeddedServer implements AutoCloseable {
  static final String KEY = "app-key";
  static final String SECRET = "app-secret";

  final BroadcastServer server;

  EmbeddedServer() {
    server = BroadcastServer.builder().host("127.0.0.1").port(0)
        .app(App.builder("1", KEY, SECRET).build()).build().start();
  }

  int port() {
    return server.port();
  }

  /** What an application configured for this server sets: {@code BROADCAST_CONNECTION=server} and its app. */
  Map<String, String> settings() {
    return settings(port());
  }

  static Map<String, String> settings(int port) {
    Map<String, String> settings = new HashMap<>();
    settings.put("BROADCAST_CONNECTION", "server");
    settings.put("PUSHER_APP_ID", "1");
    settings.put("PUSHER_APP_KEY", KEY);
    settings.put("PUSHER_APP_SECRET", SECRET);
    settings.put("BROADCAST_SERVER_HOST", "127.0.0.1");
    settings.put("BROADCAST_SERVER_PORT", String.valueOf(port));
    return settings;
  }

  @Override
  public void close() {
    server.close();
  }
}
