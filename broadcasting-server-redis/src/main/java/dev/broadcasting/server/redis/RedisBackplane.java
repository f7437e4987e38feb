package dev.broadcasting.server.redis;

import dev.broadcasting.server.redis.internal.RedisNode;
import dev.broadcasting.server.spi.Backplane;
import dev.broadcasting.server.spi.LocalApp;
import dev.broadcasting.server.spi.SharedApp;
import io.lettuce.core.RedisURI;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * Joins {@code BroadcastServer} nodes into one cluster through Redis: every node built with a
 * backplane on the same Redis (standalone, or a master found through Sentinel) serves its apps as
 * one server. Events published on any node reach every node's subscribers once; presence members,
 * channel counts, cache channels and webhooks are decided for the whole cluster. Channels that keep
 * history for recovery ({@code App.Builder.history}) keep it in Redis Streams, shared by all nodes,
 * so a client may resubscribe on any node.
 *
 * <pre>{@code
 * BroadcastServer server = BroadcastServer.builder()
 *     .app(App.builder("1", "app-key", "app-secret").build())
 *     .backplane(RedisBackplane.builder("redis://redis:6379").lease(Duration.ofSeconds(20)).build())
 *     .build()
 *     .start();
 * }</pre>
 *
 * <p>Each node holds a lease in Redis, renewed every quarter of it. When a node dies without
 * closing, the others remove its members and subscriptions once its lease has run out, announcing
 * each departed member once. {@link #toString()} never shows the Redis password.
 */
public final class RedisBackplane implements Backplane {
  private final RedisNode node;
  private final String description;

  private RedisBackplane(Builder b) {
    this.description = "RedisBackplane{" + where(b) + ", node=" + b.nodeId + "}";
    this.node = new RedisNode(b.uri, b.clusterSeeds, b.keyPrefix, b.nodeId, b.lease, description);
  }

  /** A backplane on the Redis at {@code uri}: {@code redis://host:6379}, {@code rediss://...} or {@code redis-sentinel://...}. */
  public static Builder builder(String uri) {
    return new Builder(List.of(Objects.requireNonNull(uri, "uri")), false);
  }

  /**
   * A backplane on a Redis Cluster (Redis 7 or later), found from one or more of its nodes. Events
   * travel by sharded pub/sub, so each channel's traffic stays on the shard that owns it; each
   * app's shared state lives in one hash slot.
   */
  public static Builder cluster(String... seedUris) {
    if (seedUris.length == 0) {
      throw new IllegalArgumentException("No Redis Cluster node given; pass one or more, e.g. redis://redis-1:6379");
    }
    return new Builder(List.of(seedUris), true);
  }

  /** Where the backplane connects, never with the password. */
  private static String where(Builder b) {
    if (!b.clusterSeeds.isEmpty()) {
      return "Redis Cluster of " + b.clusterSeeds.stream().map(seed -> seed.getHost() + ":" + seed.getPort())
          .collect(java.util.stream.Collectors.joining(","));
    }
    if (!b.uri.getSentinels().isEmpty()) {
      return "master '" + b.uri.getSentinelMasterId() + "' of Sentinel " + b.uri.getSentinels().get(0).getHost() + ":"
          + b.uri.getSentinels().get(0).getPort();
    }
    return b.uri.getHost() + ":" + b.uri.getPort();
  }

  @Override
  public SharedApp attach(String appId, LocalApp local) {
    return node.attach(appId, local);
  }

  @Override
  public String problem() {
    return node.problem();
  }

  /** This node's id in the cluster. */
  public String nodeId() {
    return node.id();
  }

  @Override
  public void close() {
    node.close();
  }

  @Override
  public String toString() {
    return description;
  }

  /** Builds a {@link RedisBackplane}; every setter checks its value at once. */
  public static final class Builder {
    private static final Pattern NODE_ID = Pattern.compile("[-a-zA-Z0-9_.@]{1,100}");

    private final RedisURI uri;
    private final List<RedisURI> clusterSeeds;
    private String keyPrefix = "broadcasting:server:";
    private Duration lease = Duration.ofSeconds(20);
    private String nodeId = defaultNodeId();

    private Builder(List<String> uris, boolean cluster) {
      List<RedisURI> parsed = new ArrayList<>();
      for (String uri : uris) {
        Objects.requireNonNull(uri, "uri");
        try {
          parsed.add(RedisURI.create(uri));
        } catch (RuntimeException e) {
          throw new IllegalArgumentException("Redis URI is invalid (" + e.getMessage()
              + "); write redis://host:6379, rediss://host:6379 or redis-sentinel://host:26379#master", e);
        }
      }
      this.uri = parsed.get(0);
      this.clusterSeeds = cluster ? List.copyOf(parsed) : List.of();
    }

    /** The start of every Redis key and channel name the cluster uses (default {@code broadcasting:server:}). */
    public Builder keyPrefix(String prefix) {
      if (prefix == null || prefix.isEmpty() || prefix.contains("{") || prefix.contains("}")) {
        throw new IllegalArgumentException("keyPrefix \"" + prefix + "\" is invalid: give a non-empty prefix "
            + "without braces (the backplane adds its own hash tag)");
      }
      this.keyPrefix = prefix;
      return this;
    }

    /**
     * How long a node that stopped answering stays a member (default 20 s, at least 1 s): its
     * members are removed at most this long plus a quarter of it after it died.
     */
    public Builder lease(Duration lease) {
      Objects.requireNonNull(lease, "lease");
      if (lease.toMillis() < 1000) {
        throw new IllegalArgumentException("lease must be at least one second but was " + lease);
      }
      this.lease = lease;
      return this;
    }

    /** This node's id, unique in the cluster (default: host name, process id and a random number). */
    public Builder nodeId(String id) {
      if (id == null || !NODE_ID.matcher(id).matches()) {
        throw new IllegalArgumentException("nodeId \"" + id + "\" is invalid: use 1 to 100 letters, digits, "
            + "'-', '_', '.' or '@'");
      }
      this.nodeId = id;
      return this;
    }

    /** Connects to Redis; throws when it cannot be reached now, saying where it tried. */
    public RedisBackplane build() {
      return new RedisBackplane(this);
    }

    private static String defaultNodeId() {
      String name = ManagementFactory.getRuntimeMXBean().getName().replaceAll("[^-a-zA-Z0-9_.@]", "_");
      return name + "." + Integer.toHexString(ThreadLocalRandom.current().nextInt());
    }
  }
}
