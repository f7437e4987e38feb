package dev.broadcasting.server.internal;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The apps of the servers started in this JVM, by app id, so that a {@code server} driver created
 * from configuration publishes into the server the application already embeds instead of starting
 * a second one on the same port.
 */
public final class RunningServers {
  private static final Map<String, AppHub> HUBS = new ConcurrentHashMap<>();

  private RunningServers() {}

  public static void started(AppHub hub) {
    HUBS.putIfAbsent(hub.app().id(), hub);
  }

  public static void stopped(AppHub hub) {
    HUBS.remove(hub.app().id(), hub);
  }

  static AppHub find(String appId) {
    return HUBS.get(appId);
  }
}
