package dev.broadcasting.redis.internal;

import io.lettuce.core.RedisURI;
import java.util.List;
import java.util.stream.Collectors;

/** Names a Redis deployment in log lines and errors, never with its password. */
public final class RedisAddress {
  private RedisAddress() {}

  public static String describe(RedisURI uri) {
    if (!uri.getSentinels().isEmpty()) {
      return "master '" + uri.getSentinelMasterId() + "' of Sentinel " + uri.getSentinels().stream()
          .map(s -> s.getHost() + ":" + s.getPort()).collect(Collectors.joining(","));
    }
    if (uri.getSocket() != null) {
      return "unix socket " + uri.getSocket();
    }
    return (uri.isSsl() ? "rediss://" : "redis://") + uri.getHost() + ":" + uri.getPort()
        + (uri.getDatabase() != 0 ? "/" + uri.getDatabase() : "");
  }

  public static String describeCluster(List<RedisURI> seeds) {
    return "cluster " + seeds.stream().map(u -> u.getHost() + ":" + u.getPort()).collect(Collectors.joining(","));
  }

  /** {@code uri} with whatever sits between the scheme and an {@code @} masked, for an error message. */
  public static String redact(String uri) {
    int at = uri.lastIndexOf('@');
    if (at < 0) {
      return uri;
    }
    int scheme = uri.indexOf("://");
    int start = scheme < 0 ? 0 : scheme + 3;
    return start <= at ? uri.substring(0, start) + "****" + uri.substring(at) : "****" + uri.substring(at);
  }
}
