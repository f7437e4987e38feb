package dev.broadcasting.micrometer;

import dev.broadcasting.server.App;
import dev.broadcasting.server.BroadcastServer;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Objects;

/**
 * Meters of the embedded server, each tagged {@code app}: {@value #CONNECTIONS}, the open
 * WebSocket connections; {@value #WEBHOOK_EVENTS}, webhook events the receivers accepted
 * ({@code outcome=sent}) or that were given up ({@code outcome=dropped}); and
 * {@value #WEBHOOK_CONNECTIONS}, connections open to the webhook receivers. The server does not
 * yet publish its channel count, messages in and out, or the bytes waiting for a webhook
 * receiver; they are added here once it does.
 *
 * <pre>{@code
 * new BroadcastServerMetrics(server).bindTo(meterRegistry);
 * }</pre>
 */
public final class BroadcastServerMetrics implements MeterBinder {
  public static final String CONNECTIONS = "broadcasting.server.connections";
  public static final String WEBHOOK_EVENTS = "broadcasting.server.webhook.events";
  public static final String WEBHOOK_CONNECTIONS = "broadcasting.server.webhook.connections";

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
      FunctionCounter.builder(WEBHOOK_EVENTS, server, running -> running.webhookStats(id).sentEvents())
          .description("Webhook events the receivers accepted")
          .tags("app", id, "outcome", "sent")
          .register(registry);
      FunctionCounter.builder(WEBHOOK_EVENTS, server, running -> running.webhookStats(id).droppedEvents())
          .description("Webhook events given up after their retries, or past the backlog's bytes")
          .tags("app", id, "outcome", "dropped")
          .register(registry);
      Gauge.builder(WEBHOOK_CONNECTIONS, server, running -> running.webhookStats(id).openConnections())
          .description("Connections open to the app's webhook receivers")
          .tag("app", id)
          .register(registry);
    }
  }
}
