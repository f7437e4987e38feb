package dev.broadcasting.queue.redis.internal;

import dev.broadcasting.BroadcastException;
import dev.broadcasting.queue.redis.RedisStreamQueue;
import dev.broadcasting.resp.internal.TrustSettings;
import dev.broadcasting.spi.BroadcastQueue;
import dev.broadcasting.spi.DriverSettings;
import io.lettuce.core.RedisURI;
import java.time.Duration;

/**
 * Registers the {@code redis} queue for {@code BROADCAST_QUEUE=redis}. The server is
 * {@code BROADCAST_QUEUE_REDIS_URL}, else Laravel's {@code REDIS_URL}, else {@code REDIS_HOST},
 * {@code REDIS_PORT}, {@code REDIS_PASSWORD}, {@code REDIS_DB}. The rest:
 * {@code BROADCAST_QUEUE_PREFIX}, {@code BROADCAST_QUEUE_PARTITIONS},
 * {@code BROADCAST_QUEUE_MAX_LENGTH}, {@code BROADCAST_QUEUE_FAILED_MAX_LENGTH},
 * {@code BROADCAST_QUEUE_LEASE_TTL}, {@code BROADCAST_QUEUE_CLAIM_IDLE},
 * {@code BROADCAST_QUEUE_WORKERS} ({@code false}: this process only broadcasts),
 * {@code BROADCAST_QUEUE_REDIS_TIMEOUT}, {@code BROADCAST_QUEUE_READ_COUNT},
 * {@code BROADCAST_QUEUE_READ_LINGER},
 * {@code BROADCAST_QUEUE_MAX_IN_HAND} and {@code BROADCAST_QUEUE_TRACK_LIMIT}. A {@code rediss://}
 * server's certificate is checked against {@code BROADCAST_QUEUE_REDIS_CA_FILE} or
 * {@code BROADCAST_QUEUE_REDIS_TRUST_STORE} (see {@link #TRUST}), else the JVM's trust store.
 */
public final class RedisQueueProvider implements BroadcastQueue.Provider {
  /** The shared TLS trust rule under the queue's names: {@code BROADCAST_QUEUE_REDIS_CA_FILE}, {@code _TRUST_STORE}, {@code _PASSWORD}. */
  public static final TrustSettings TRUST = new TrustSettings("BROADCAST_QUEUE_REDIS", "the queue",
      "BROADCAST_QUEUE_REDIS_URL (or REDIS_URL)");

  @Override
  public String name() {
    return "redis";
  }

  @Override
  public BroadcastQueue create(DriverSettings settings) {
    RedisStreamQueue.Builder builder = RedisStreamQueue.builder();
    try {
      String url = settings.get("BROADCAST_QUEUE_REDIS_URL", settings.get("REDIS_URL"));
      if (url != null) {
        builder.uri(url);
      } else {
        RedisURI.Builder uri = RedisURI.builder().withHost(settings.get("REDIS_HOST", "127.0.0.1"))
            .withPort(settings.getInt("REDIS_PORT", 6379)).withDatabase(settings.getInt("REDIS_DB", 0));
        String password = settings.get("REDIS_PASSWORD");
        if (password != null && !"null".equals(password)) {
          uri.withPassword(password.toCharArray());
        }
        builder.uri(uri.build());
      }
      if (TRUST.given(settings::get)) {
        builder.sslOptions(TRUST.read(settings::get, url != null && RedisURI.create(url).isSsl()));
      }
      String prefix = settings.get("BROADCAST_QUEUE_PREFIX");
      if (prefix != null) {
        builder.prefix(prefix);
      }
      builder.partitions(settings.getInt("BROADCAST_QUEUE_PARTITIONS", 8))
          .maxLength(settings.getLong("BROADCAST_QUEUE_MAX_LENGTH", 100_000))
          .failedMaxLength(settings.getLong("BROADCAST_QUEUE_FAILED_MAX_LENGTH", 100_000))
          .leaseTtl(settings.getDuration("BROADCAST_QUEUE_LEASE_TTL", Duration.ofSeconds(10)))
          .commandTimeout(settings.getDuration("BROADCAST_QUEUE_REDIS_TIMEOUT", Duration.ofSeconds(5)))
          .workers(settings.getBoolean("BROADCAST_QUEUE_WORKERS", true))
          .readCount(settings.getInt("BROADCAST_QUEUE_READ_COUNT", 256))
          .readLinger(settings.getDuration("BROADCAST_QUEUE_READ_LINGER", Duration.ofMillis(2)))
          .maxInHand(settings.getInt("BROADCAST_QUEUE_MAX_IN_HAND", 1_000))
          .trackLimit(settings.getInt("BROADCAST_QUEUE_TRACK_LIMIT", 100_000));
      Duration claimIdle = settings.getDuration("BROADCAST_QUEUE_CLAIM_IDLE", null);
      if (claimIdle != null) {
        builder.claimIdle(claimIdle);
      }
      return builder.build();
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new BroadcastException("The durable queue's settings are invalid: " + e.getMessage());
    }
  }
}
