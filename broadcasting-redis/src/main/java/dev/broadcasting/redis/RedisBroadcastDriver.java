package dev.broadcasting.redis;

import dev.broadcasting.BroadcastException;
import dev.broadcasting.redis.internal.RedisAddress;
import dev.broadcasting.redis.internal.RedisConnector;
import dev.broadcasting.redis.internal.RedisFailures;
import dev.broadcasting.redis.internal.RedisMessageFormat;
import dev.broadcasting.spi.BroadcastDriver;
import dev.broadcasting.spi.BroadcastMessage;
import dev.broadcasting.spi.ChannelAuthSigner;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The {@code redis} driver: publishes events to Redis pub/sub exactly as Laravel's
 * RedisBroadcaster does, so laravel-echo-server and any relay written for Laravel read them
 * unchanged. Each message is {@code {"event":..,"data":..,"socket":..}} on the channel
 * {@code <prefix><channel name>}; an event on several channels goes out as one script call, so
 * one round trip. All events share one connection, which lettuce reconnects when it is lost.
 *
 * <pre>{@code
 * Broadcaster broadcaster = Broadcaster.builder()
 *     .connection("redis", RedisBroadcastDriver.builder()
 *         .uri("redis://:secret@localhost:6379/0")
 *         .prefix("shop_")
 *         .build())
 *     .build();
 * }</pre>
 *
 * <p>Standalone servers and Sentinel ({@code redis-sentinel://host:26379/0#mymaster}) go through
 * {@link Builder#uri}; Redis Cluster through {@link Builder#cluster}. A lettuce client the
 * application already has is used with {@link Builder#client} or {@link Builder#clusterClient},
 * and is never shut down by the driver.
 */
public final class RedisBroadcastDriver implements BroadcastDriver {
  /** Publishes ARGV[1] on each channel ARGV[2..n], so that an event on N channels costs one round trip. */
  private static final String PUBLISH_ALL = "local receivers = 0\n"
      + "for i = 2, #ARGV do receivers = receivers + redis.call('publish', ARGV[i], ARGV[1]) end\n"
      + "return receivers";
  private static final byte[][] NO_KEYS = new byte[0][];

  private final RedisConnector connector;
  private final RedisFailures failures;
  private final String address;
  private final String prefix;
  private final boolean sharded;
  private final Duration commandTimeout;

  private RedisBroadcastDriver(RedisConnector connector, String address, Builder builder) {
    this.connector = connector;
    this.address = address;
    this.prefix = builder.prefix;
    this.sharded = builder.sharded;
    this.commandTimeout = builder.commandTimeout;
    this.failures = new RedisFailures(address, commandTimeout);
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public CompletableFuture<Void> publish(BroadcastMessage message) {
    Objects.requireNonNull(message, "message");
    byte[] body = RedisMessageFormat.body(message);
    byte[][] channels = RedisMessageFormat.channels(prefix, message.channels());
    CompletableFuture<Void> result = new CompletableFuture<>();
    List<RedisFuture<?>> commands = new ArrayList<>(sharded ? channels.length : 1);
    connector.open().whenComplete((open, error) -> {
      if (error != null) {
        result.completeExceptionally(failures.map(error));
        return;
      }
      try {
        synchronized (commands) {
          if (result.isDone()) {
            return; // timed out while connecting: core has given up on this attempt
          }
          send(open.commands(), channels, body, commands);
        }
      } catch (RuntimeException e) {
        result.completeExceptionally(failures.map(e));
        return;
      }
      CompletableFuture.allOf(commands.stream().map(RedisFuture::toCompletableFuture)
          .toArray(CompletableFuture[]::new)).whenComplete((ok, failed) -> {
            if (failed == null) {
              result.complete(null);
            } else {
              result.completeExceptionally(failures.map(failed));
            }
          });
    });
    CompletableFuture<Void> bounded = new CompletableFuture<>();
    result.orTimeout(commandTimeout.toMillis(), TimeUnit.MILLISECONDS).whenComplete((ok, error) -> {
      if (error == null) {
        bounded.complete(null);
        return;
      }
      if (error instanceof TimeoutException) {
        // a command lettuce still holds (written, or buffered while reconnecting) must not go out
        // after core has given up on it and retried: that would publish the event twice
        synchronized (commands) {
          commands.forEach(c -> c.cancel(false));
        }
      }
      bounded.completeExceptionally(failures.map(error));
    });
    // core cancels this very future on its attempt timeout and on close: the commands must not go out
    bounded.whenComplete((ok, error) -> {
      if (bounded.isCancelled()) {
        synchronized (commands) {
          result.cancel(false);
          commands.forEach(c -> c.cancel(false));
        }
      }
    });
    return bounded;
  }

  private void send(RedisClusterAsyncCommands<byte[], byte[]> redis, byte[][] channels, byte[] body,
      List<RedisFuture<?>> commands) {
    if (sharded) {
      // sharded channels live on the node that owns their slot, so each goes its own way; lettuce
      // writes them without waiting for the answers in between
      for (byte[] channel : channels) {
        commands.add(redis.spublish(channel, body));
      }
    } else if (channels.length == 1) {
      commands.add(redis.publish(channels[0], body));
    } else {
      byte[][] args = new byte[channels.length + 1][];
      args[0] = body;
      System.arraycopy(channels, 0, args, 1, channels.length);
      commands.add(redis.<Long>eval(PUBLISH_ALL, ScriptOutputType.INTEGER, NO_KEYS, args));
    }
  }

  /** Answers as laravel-echo-server expects: {@code true}, or the presence member as channel_data. */
  @Override
  public ChannelAuthSigner authSigner() {
    return ChannelAuthSigner.PLAIN;
  }

  /** Closes the driver's connection, and the lettuce client only if the driver created it. */
  @Override
  public void close() {
    connector.close();
  }

  @Override
  public String toString() {
    return "RedisBroadcastDriver{" + address + (prefix.isEmpty() ? "" : ", prefix=" + prefix)
        + (sharded ? ", sharded" : "") + "}";
  }

  /**
   * Configures a {@link RedisBroadcastDriver}: where Redis is, the channel prefix, and how to
   * connect. Exactly one of {@link #uri}, {@link #cluster}, {@link #client} or
   * {@link #clusterClient} says where Redis is.
   *
   * <pre>{@code
   * RedisBroadcastDriver driver = RedisBroadcastDriver.builder()
   *     .cluster("redis://10.0.0.1:7000", "redis://10.0.0.2:7000")
   *     .shardedPublish(true)
   *     .lazyConnect()
   *     .build();
   * }</pre>
   */
  public static final class Builder {
    private RedisURI uri;
    private List<RedisURI> clusterSeeds;
    private RedisClient client;
    private RedisClusterClient clusterClient;
    private String source;
    private String prefix = "";
    private boolean sharded;
    private boolean lazy;
    private Duration commandTimeout = Duration.ofSeconds(5);

    private Builder() {}

    /**
     * A standalone server, or a Sentinel-managed master: {@code redis://[[user]:password@]host[:port][/db]},
     * {@code rediss://} for TLS, {@code redis-sentinel://host:26379[,host2:26379]/0#mymaster}.
     */
    public Builder uri(String uri) {
      Objects.requireNonNull(uri, "uri");
      return uri(parse(uri, "uri"));
    }

    public Builder uri(RedisURI uri) {
      Objects.requireNonNull(uri, "uri");
      where("uri(" + RedisAddress.describe(uri) + ")");
      this.uri = uri;
      return this;
    }

    /** A Redis Cluster, found through one or more of its nodes. */
    public Builder cluster(String... seedUris) {
      Objects.requireNonNull(seedUris, "seedUris");
      List<RedisURI> seeds = new ArrayList<>();
      for (String seed : seedUris) {
        seeds.add(parse(Objects.requireNonNull(seed, "seed uri"), "cluster seed"));
      }
      return cluster(seeds);
    }

    public Builder cluster(List<RedisURI> seeds) {
      Objects.requireNonNull(seeds, "seeds");
      if (seeds.isEmpty()) {
        throw new IllegalArgumentException("cluster needs at least one seed node, e.g. redis://10.0.0.1:7000");
      }
      where("cluster(" + RedisAddress.describeCluster(seeds) + ")");
      this.clusterSeeds = List.copyOf(seeds);
      return this;
    }

    /**
     * A lettuce client the application owns, connecting to {@code uri}. The driver opens one
     * connection with it and closes only that connection. To fail fast while Redis is down, give
     * the client {@code ClientOptions.DisconnectedBehavior.REJECT_COMMANDS}; otherwise a publish
     * waits up to the command timeout.
     */
    public Builder client(RedisClient client, RedisURI uri) {
      Objects.requireNonNull(client, "client");
      Objects.requireNonNull(uri, "uri");
      where("client(" + RedisAddress.describe(uri) + ")");
      this.client = client;
      this.uri = uri;
      return this;
    }

    /** A lettuce cluster client the application owns; as {@link #client}, never shut down by the driver. */
    public Builder clusterClient(RedisClusterClient clusterClient) {
      Objects.requireNonNull(clusterClient, "clusterClient");
      where("clusterClient(...)");
      this.clusterClient = clusterClient;
      return this;
    }

    /**
     * Put before every channel name, so that apps sharing one Redis keep apart; empty by default,
     * as in Laravel. laravel-echo-server must be told the same prefix ({@code keyPrefix}).
     */
    public Builder prefix(String prefix) {
      Objects.requireNonNull(prefix, "prefix");
      for (int i = 0; i < prefix.length(); i++) {
        char c = prefix.charAt(i);
        if (Character.isWhitespace(c) || Character.isISOControl(c) || c == '*' || c == '?' || c == '[') {
          throw new IllegalArgumentException("prefix \"" + prefix + "\" has '" + c + "' at index " + i
              + "; use letters, digits and punctuation such as '_', ':' or '.', e.g. \"shop_\"");
        }
      }
      this.prefix = prefix;
      return this;
    }

    /** Publishes with SPUBLISH (sharded pub/sub, Redis 7) instead of PUBLISH; subscribers use SSUBSCRIBE. */
    public Builder shardedPublish(boolean sharded) {
      this.sharded = sharded;
      return this;
    }

    /**
     * Connects on the first broadcast instead of in {@link #build()}. By default {@code build()}
     * connects, and fails naming the address when Redis is not there.
     */
    public Builder lazyConnect() {
      this.lazy = true;
      return this;
    }

    /** How long one publish (or connecting, when lazy) may take before it fails as retryable; 5 s by default. */
    public Builder commandTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout");
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("commandTimeout must be positive but was " + timeout);
      }
      this.commandTimeout = timeout;
      return this;
    }

    /** Builds the driver, connecting at once unless {@link #lazyConnect()} was called. */
    public RedisBroadcastDriver build() {
      if (source == null) {
        throw new IllegalStateException("No Redis to connect to: call uri(\"redis://localhost:6379\"), "
            + "cluster(seedUris...), client(redisClient, uri) or clusterClient(redisClusterClient)");
      }
      RedisConnector connector;
      String address;
      if (clusterClient != null) {
        address = "the application's Redis Cluster client";
        connector = RedisConnector.cluster(clusterClient, false, address);
      } else if (clusterSeeds != null) {
        address = RedisAddress.describeCluster(clusterSeeds);
        RedisClusterClient owned = RedisClusterClient.create(clusterSeeds);
        // lettuce 7 follows failovers and resharding (adaptive topology refresh) by default
        owned.setOptions(ClusterClientOptions.builder()
            .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
            .socketOptions(SocketOptions.builder().connectTimeout(commandTimeout).build())
            .build());
        connector = RedisConnector.cluster(owned, true, address);
      } else if (client != null) {
        address = RedisAddress.describe(uri);
        connector = RedisConnector.standalone(client, uri, false, address);
      } else {
        address = RedisAddress.describe(uri);
        RedisClient owned = RedisClient.create();
        // fail at once while disconnected, so core's dispatcher retries with back-off instead of
        // every publish waiting out the timeout
        owned.setOptions(ClientOptions.builder()
            .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
            .socketOptions(SocketOptions.builder().connectTimeout(commandTimeout).build())
            .build());
        connector = RedisConnector.standalone(owned, uri, true, address);
      }
      if (!lazy) {
        connector.connect(commandTimeout);
      }
      return new RedisBroadcastDriver(connector, address, this);
    }

    private void where(String what) {
      if (source != null) {
        throw new IllegalStateException("Redis was already given as " + source + "; a driver publishes to one "
            + "deployment, so call only one of uri, cluster, client or clusterClient (now " + what + ")");
      }
      source = what;
    }

    private static RedisURI parse(String uri, String what) {
      try {
        return RedisURI.create(uri);
      } catch (RuntimeException e) {
        // lettuce's own message may quote the password, so neither it nor the cause is passed on
        throw new IllegalArgumentException(what + " \"" + RedisAddress.redact(uri) + "\" is not a Redis URI ("
            + e.getClass().getSimpleName() + "); expected redis://[[user]:password@]host[:port][/database], "
            + "rediss:// for TLS, or redis-sentinel://host:26379/0#mymaster");
      }
    }
  }
}
