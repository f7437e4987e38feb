package dev.broadcasting.doctor.internal;

import dev.broadcasting.spi.DriverSettings;
import io.lettuce.core.RedisURI;
import java.time.Duration;

/**
 * The Redis server and channel prefix the redis driver uses, read from the same variables:
 * {@code REDIS_URL}, else {@code REDIS_HOST}, {@code REDIS_PORT}, {@code REDIS_USERNAME},
 * {@code REDIS_PASSWORD}, {@code REDIS_DB}; the prefix {@code BROADCAST_REDIS_PREFIX}, else
 * {@code REDIS_PREFIX}. A cluster is checked through its first seed node.
 */
public record RedisTarget(RedisURI uri, String user, String prefix) {

  public static RedisTarget read(DriverSettings settings, Duration timeout) {
    String url = settings.get("REDIS_URL");
    RedisURI uri;
    String user = null;
    if (url != null) {
      uri = RedisURI.create(url.split("\\s*,\\s*")[0]);
      String userInfo = java.net.URI.create(url.split("\\s*,\\s*")[0]).getUserInfo();
      if (userInfo != null && userInfo.indexOf(':') > 0) {
        user = userInfo.substring(0, userInfo.indexOf(':'));
      }
    } else {
      RedisURI.Builder builder = RedisURI.builder().withHost(settings.get("REDIS_HOST", "127.0.0.1"))
          .withPort(settings.getInt("REDIS_PORT", 6379)).withDatabase(settings.getInt("REDIS_DB", 0));
      String password = settings.get("REDIS_PASSWORD");
      if (password != null && !"null".equals(password)) {
        user = settings.get("REDIS_USERNAME");
        if (user != null) {
          builder.withAuthentication(user, password);
        } else {
          builder.withPassword(password.toCharArray());
        }
      }
      uri = builder.build();
    }
    uri.setTimeout(timeout);
    return new RedisTarget(uri, user, settings.get("BROADCAST_REDIS_PREFIX", settings.get("REDIS_PREFIX", "")));
  }

  public Endpoint endpoint() {
    return new Endpoint("Redis server", uri.getHost(), uri.getPort(), "REDIS_URL or REDIS_HOST/REDIS_PORT");
  }

  /** No password: host, port and user only. */
  @Override
  public String toString() {
    return "RedisTarget{" + endpoint().address() + ", user=" + user + ", prefix=" + prefix + "}";
  }
}
