package dev.broadcasting.redis.internal;

import dev.broadcasting.BroadcastException;
import dev.broadcasting.redis.RedisBroadcastDriver;
import dev.broadcasting.resp.internal.TrustSettings;
import dev.broadcasting.spi.BroadcastDriver;
import dev.broadcasting.spi.BroadcastDriverProvider;
import dev.broadcasting.spi.DriverSettings;
import io.lettuce.core.RedisURI;
import java.time.Duration;

/**
 * Registers the {@code redis} driver, configured with Laravel's variable names: {@code REDIS_URL},
 * or {@code REDIS_HOST}, {@code REDIS_PORT}, {@code REDIS_USERNAME}, {@code REDIS_PASSWORD} and
 * {@code REDIS_DB}. The channel prefix is {@code BROADCAST_REDIS_PREFIX}, else {@code REDIS_PREFIX}
 * (the variable Laravel's phpredis/predis prefix comes from), else empty.
 *
 * <p>Beyond Laravel's names: {@code BROADCAST_REDIS_CLUSTER=true} treats {@code REDIS_URL} as a
 * comma-separated list of cluster seed nodes, {@code BROADCAST_REDIS_SHARDED=true} publishes with
 * SPUBLISH, {@code BROADCAST_REDIS_LAZY=true} connects on first use,
 * {@code BROADCAST_REDIS_TIMEOUT} (e.g. {@code 2s}) bounds each publish and
 * {@code BROADCAST_REDIS_PUBLISH_SOCKET=false} publishes through lettuce instead of the driver's own
 * socket (unset: the builder's default). A {@code rediss://} server's certificate is checked against
 * {@code BROADCAST_REDIS_CA_FILE} (PEM) or {@code BROADCAST_REDIS_TRUST_STORE} (PKCS12 or JKS, with
 * {@code BROADCAST_REDIS_TRUST_STORE_PASSWORD}), else the JVM's trust store ({@link #TRUST}).
 */
public final class RedisDriverProvider implements BroadcastDriverProvider {
  /** The driver's TLS trust settings, and what a refused certificate's message tells to set. */
  public static final TrustSettings TRUST = new TrustSettings("BROADCAST_REDIS", "the redis driver", "REDIS_URL");

  @Override
  public String name() {
    return "redis";
  }

  @Override
  public BroadcastDriver create(DriverSettings settings) {
    RedisBroadcastDriver.Builder builder = RedisBroadcastDriver.builder();
    String url = settings.get("REDIS_URL");
    boolean cluster = settings.getBoolean("BROADCAST_REDIS_CLUSTER", false);
    try {
      if (url != null && cluster) {
        builder.cluster(url.split("\\s*,\\s*"));
      } else if (url != null) {
        builder.uri(url);
      } else {
        RedisURI uri = fromParts(settings);
        if (cluster) {
          builder.cluster(java.util.List.of(uri));
        } else {
          builder.uri(uri);
        }
      }
      builder.prefix(settings.get("BROADCAST_REDIS_PREFIX", settings.get("REDIS_PREFIX", "")));
      if (TRUST.given(settings::get)) {
        boolean tls = url != null && RedisURI.create(url.split("\\s*,\\s*")[0]).isSsl();
        builder.sslOptions(TRUST.read(settings::get, tls));
      }
    } catch (IllegalArgumentException e) {
      throw new BroadcastException("Redis settings are invalid: " + e.getMessage());
    }
    builder.shardedPublish(settings.getBoolean("BROADCAST_REDIS_SHARDED", false));
    if (settings.getBoolean("BROADCAST_REDIS_LAZY", false)) {
      builder.lazyConnect();
    }
    if (settings.get("BROADCAST_REDIS_PUBLISH_SOCKET") != null) {
      builder.publishSocket(settings.getBoolean("BROADCAST_REDIS_PUBLISH_SOCKET", true));
    }
    Duration timeout = settings.getDuration("BROADCAST_REDIS_TIMEOUT", Duration.ofSeconds(5));
    if (timeout.isNegative() || timeout.isZero()) {
      throw new BroadcastException("Setting BROADCAST_REDIS_TIMEOUT must be positive but was " + timeout);
    }
    return builder.commandTimeout(timeout).build();
  }

  private static RedisURI fromParts(DriverSettings settings) {
    String host = settings.get("REDIS_HOST", "127.0.0.1");
    int port = settings.getInt("REDIS_PORT", 6379);
    if (port < 1 || port > 65535) {
      throw new BroadcastException("Setting REDIS_PORT must be between 1 and 65535 but was " + port);
    }
    int database = settings.getInt("REDIS_DB", 0);
    if (database < 0) {
      throw new BroadcastException("Setting REDIS_DB must not be negative but was " + database);
    }
    RedisURI.Builder uri = RedisURI.builder().withHost(host).withPort(port).withDatabase(database);
    String password = settings.get("REDIS_PASSWORD");
    if (password != null && !"null".equals(password)) {
      String user = settings.get("REDIS_USERNAME");
      if (user != null) {
        uri.withAuthentication(user, password);
      } else {
        uri.withPassword(password.toCharArray());
      }
    }
    return uri.build();
  }
}
