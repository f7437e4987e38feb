package dev.broadcasting.micrometer;

import dev.broadcasting.server.App;
import dev.broadcasting.server.AppStats;
import dev.broadcasting.server.BroadcastServer;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Objects;
import java.util.function.ToDoubleFunction;

/**
 * Meters of the embedded server, each tagged with the {@code app} id (one tag value per
 * configured app, so the tags stay bounded):
 *
 * <ul>
 *   <li>{@value #CONNECTIONS}, {@value #CHANNELS}, {@value #WEBHOOK_BACKLOG}, {@value #WEBHOOK_CONNECTIONS}:
 *       gauges of now;
 *   <li>{@value #MESSAGES} with {@code direction=in|out}, {@value #CLIENT_EVENTS},
 *       {@value #REFUSALS}, {@value #WEBHOOK_EVENTS} with {@code outcome=sent|dropped}: counters
 *       since the server started.
 * </ul>
 *
 * <pre>{@code
 * new BroadcastServerMetrics(server).bindTo(meterRegistry);
 * }</pre>
 */
public final class BroadcastServerMetrics implements MeterBinder {
  public static final String CONNECTIONS = "broadcasting.server.connections";
  public static final String CHANNELS = "broadcasting.server.channels";
  public static final String MESSAGES = "broadcasting.server.messages";
  public static final String CLIENT_EVENTS = "broadcasting.server.client.events";
  public static final String REFUSALS = "broadcasting.server.refusals";
  public static final String WEBHOOK_BACKLOG = "broadcasting.server.webhook.backlog";
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
      gauge(registry, CONNECTIONS, id, "Open WebSocket connections of the app", AppStats::connections);
      gauge(registry, CHANNELS, id, "Occupied channels of the app", AppStats::channels);
      gauge(registry, WEBHOOK_BACKLOG, id, "Webhook events waiting or being retried", AppStats::webhookBacklog);
      counter(registry, MESSAGES, id, "WebSocket messages received from clients", AppStats::messagesIn)
          .tag("direction", "in").register(registry);
      counter(registry, MESSAGES, id, "WebSocket messages queued to clients", AppStats::messagesOut)
          .tag("direction", "out").register(registry);
      counter(registry, CLIENT_EVENTS, id, "Client events relayed", AppStats::clientEvents).register(registry);
      counter(registry, REFUSALS, id, "Subscriptions and client events refused", AppStats::refusals)
          .register(registry);
      counter(registry, WEBHOOK_EVENTS, id, "Webhook events the receivers accepted",
          stats -> stats.webhook().sentEvents()).tag("outcome", "sent").register(registry);
      counter(registry, WEBHOOK_EVENTS, id, "Webhook events given up (retried too long, or over the backlog)",
          stats -> stats.webhook().droppedEvents()).tag("outcome", "dropped").register(registry);
      gauge(registry, WEBHOOK_CONNECTIONS, id, "Connections open to the app's webhook receivers",
          stats -> stats.webhook().openConnections());
    }
  }

  private void gauge(MeterRegistry registry, String name, String id, String description,
      ToDoubleFunction<AppStats> value) {
    Gauge.builder(name, server, running -> value.applyAsDouble(running.stats(id)))
        .description(description).tag("app", id).register(registry);
  }

  private FunctionCounter.Builder<BroadcastServer> counter(MeterRegistry registry, String name, String id,
      String description, ToDoubleFunction<AppStats> total) {
    return FunctionCounter.builder(name, server, running -> total.applyAsDouble(running.stats(id)))
        .description(description).tag("app", id);
  }
}
