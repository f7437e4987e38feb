package dev.broadcasting.spring.internal;

import dev.broadcasting.micrometer.BroadcastObservability;
import dev.broadcasting.micrometer.ConnectionStatus;
import dev.broadcasting.server.App;
import dev.broadcasting.server.BroadcastServer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The details of the optional parts, each in a class of its own so that none is loaded when its
 * module is absent.
 */
public final class HealthDetails {
  private HealthDetails() {}

  /** Each connection's record, from broadcasting-micrometer. */
  public static final class Connections {
    private Connections() {}

    public static Function<String, Map<String, Object>> of(Object observability) {
      BroadcastObservability recorded = (BroadcastObservability) observability;
      return name -> {
        ConnectionStatus status = recorded.status(name);
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("driver", status.driver());
        details.put("reachability", status.reachability().name());
        details.put("sent", status.sent());
        details.put("failed", status.failed());
        if (status.lastSuccess() != null) {
          details.put("lastSuccess", status.lastSuccess().toString());
        }
        if (status.lastFailure() != null) {
          details.put("lastFailure", status.lastFailure().toString());
          details.put("lastError", status.lastError());
        }
        return details;
      };
    }
  }

  /** The embedded server's port and open connections per app. */
  public static final class Server {
    private Server() {}

    public static Supplier<Map<String, Object>> of(Object server) {
      BroadcastServer running = (BroadcastServer) server;
      return () -> {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("port", running.port());
        Map<String, Integer> sockets = new LinkedHashMap<>();
        for (App app : running.apps()) {
          sockets.put(app.id(), running.connectionCount(app.id()));
        }
        details.put("connections", sockets);
        return details;
      };
    }
  }
}
