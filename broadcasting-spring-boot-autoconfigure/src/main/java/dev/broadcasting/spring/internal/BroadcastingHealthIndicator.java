package dev.broadcasting.spring.internal;

import dev.broadcasting.Broadcaster;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * The broadcaster's health: the queue depth, each connection's reachability as its deliveries
 * tell it, and the embedded server's state. DOWN when a connection's last event failed for good
 * and none went through since; UP otherwise, also before anything was sent.
 */
public final class BroadcastingHealthIndicator extends AbstractHealthIndicator {
  static final String FAILING = "FAILING";

  private final Broadcaster broadcaster;
  private final Function<String, Map<String, Object>> connectionDetails;
  private final Supplier<Map<String, Object>> serverDetails;

  /**
   * @param connectionDetails a connection's details with its {@code reachability}, or null
   *     without broadcasting-micrometer, which records the deliveries
   * @param serverDetails the embedded server's details, or null without one
   */
  public BroadcastingHealthIndicator(Broadcaster broadcaster, Function<String, Map<String, Object>> connectionDetails,
      Supplier<Map<String, Object>> serverDetails) {
    super("Broadcasting health check failed");
    this.broadcaster = broadcaster;
    this.connectionDetails = connectionDetails;
    this.serverDetails = serverDetails;
  }

  @Override
  protected void doHealthCheck(Health.Builder builder) {
    builder.up()
        .withDetail("defaultConnection", broadcaster.defaultConnection())
        .withDetail("queueDepth", broadcaster.queueDepth());
    Map<String, Object> connections = new LinkedHashMap<>();
    for (String name : broadcaster.connectionNames()) {
      Map<String, Object> details = connectionDetails == null
          ? Map.of("reachability", "UNKNOWN: add broadcasting-micrometer to record deliveries")
          : connectionDetails.apply(name);
      if (FAILING.equals(details.get("reachability"))) {
        builder.down();
      }
      connections.put(name, details);
    }
    builder.withDetail("connections", connections);
    if (serverDetails != null) {
      builder.withDetail("server", serverDetails.get());
    }
  }
}
