package dev.broadcasting.server.redis.internal;

import dev.broadcasting.server.redis.RedisBackplane;
import dev.broadcasting.server.spi.Backplane;
import dev.broadcasting.server.spi.BackplaneProvider;
import dev.broadcasting.spi.DriverSettings;
import java.time.Duration;

/**
 * Builds a {@link RedisBackplane} for {@code BROADCAST_SERVER_BACKPLANE=redis://...} (also
 * {@code rediss://} and {@code redis-sentinel://}), with {@code BROADCAST_SERVER_BACKPLANE_LEASE}
 * and {@code BROADCAST_SERVER_BACKPLANE_NODE_ID} when set.
 */
public final class RedisBackplaneProvider implements BackplaneProvider {
  @Override
  public boolean accepts(String url) {
    return url.startsWith("redis://") || url.startsWith("rediss://") || url.startsWith("redis-sentinel://");
  }

  @Override
  public Backplane create(String url, DriverSettings settings) {
    RedisBackplane.Builder builder = RedisBackplane.builder(url);
    Duration lease = settings.getDuration("BROADCAST_SERVER_BACKPLANE_LEASE", null);
    if (lease != null) {
      builder.lease(lease);
    }
    String nodeId = settings.get("BROADCAST_SERVER_BACKPLANE_NODE_ID");
    if (nodeId != null) {
      builder.nodeId(nodeId);
    }
    return builder.build();
  }
}
