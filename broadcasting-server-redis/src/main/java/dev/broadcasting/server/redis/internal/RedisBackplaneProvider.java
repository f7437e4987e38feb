package dev.broadcasting.server.redis.internal;

import dev.broadcasting.server.redis.RedisBackplane;
import dev.broadcasting.server.spi.Backplane;
import dev.broadcasting.server.spi.BackplaneProvider;
import dev.broadcasting.spi.DriverSettings;
import java.time.Duration;

/**
 * Builds a {@link RedisBackplane} for the backplane setting {@code redis://...} (also
 * {@code rediss://} and {@code redis-sentinel://}), with its {@code lease} and {@code node-id} when set.
 */
public final class RedisBackplaneProvider implements BackplaneProvider {
  @Override
  public boolean accepts(String url) {
    return url.startsWith("redis://") || url.startsWith("rediss://") || url.startsWith("redis-sentinel://");
  }

  @Override
  public Backplane create(String url, DriverSettings options) {
    RedisBackplane.Builder builder = RedisBackplane.builder(url);
    Duration lease = options.getDuration("lease", null);
    if (lease != null) {
      builder.lease(lease);
    }
    String nodeId = options.get("node-id");
    if (nodeId != null) {
      builder.nodeId(nodeId);
    }
    return builder.build();
  }
}
