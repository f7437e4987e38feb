package dev.broadcasting.micrometer;

import dev.broadcasting.server.App;
import dev.broadcasting.server.BroadcastServer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Objects;

/**
 * Meters of the embedded server: {@value #CONNECTIONS}, the open WebSocket connections of each
 * app (tag {@code app}). The server does not yet publish its channel count, messages in and out,
 * or webhook backlog; they are added here once it does.
 *
 * <pre>{@code
 * new BroadcastServerMetrics(server).bindTo(meterRegistry);
 * }</pre>
 */
public final class BroadcastServerMetrics implements MeterBinder {
  public static final String CONNECTIONS = "broadcasting.server.connections";

  private final BroadcastServer server;

  public BroadcastServerMetrics(BroadcastServer server) {
    this.server = Objects.requireNonNull(server, "server");
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    for (App app : server.apps()) {
      String id = app.id();
      Gauge.builder(CONNECTIONS, server, running -> running.connectionCount(id))
          .description("Open WebSocket connections of the app")
          .tag("app", id)
          .register(registry);
    }
  }
}
