package dev.broadcasting.server.redis.internal;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.cluster.pubsub.StatefulRedisClusterPubSubConnection;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.RedisPubSubListener;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;

/**
 * A node's two connections to Redis: commands, and the subscriptions that bring other nodes'
 * frames. On a Redis Cluster, frames travel by sharded pub/sub ({@code SPUBLISH}/{@code SSUBSCRIBE},
 * Redis 7), so each channel's traffic stays on the shard that owns it; elsewhere by plain pub/sub.
 * Commands fail at once while disconnected, so that the node knows it is cut off.
 */
abstract class RedisLinks implements AutoCloseable {
  @Override
  public abstract void close();

  private static final Duration TIMEOUT = Duration.ofSeconds(2);
  /** Commands that may wait for Redis' answer on one connection; more fail at once (a publish answers 503). */
  private static final int REQUEST_QUEUE = 100_000;
  private static final ClientOptions OPTIONS = ClientOptions.builder()
      .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
      .socketOptions(SocketOptions.builder().connectTimeout(TIMEOUT).build())
      .timeoutOptions(TimeoutOptions.enabled(TIMEOUT))
      .requestQueueSize(REQUEST_QUEUE)
      .build();

  abstract RedisClusterAsyncCommands<String, String> commands();

  abstract CompletableFuture<Long> publish(String channel, String message);

  abstract CompletableFuture<Void> subscribe(String channel);

  /** The command that {@link #publish} sends: {@code PUBLISH}, or {@code SPUBLISH} on a Redis Cluster. */
  abstract String publishCommand();

  abstract CompletableFuture<Void> unsubscribe(String channel);

  /** Whether both connections are open. */
  final boolean isOpen() {
    return commandsOpen() && subscriptionsOpen();
  }

  /** Whether the command connection is open; the pub/sub one reconnects on its own, sooner or later. */
  abstract boolean commandsOpen();

  /** Whether the pub/sub connection is open. */
  abstract boolean subscriptionsOpen();

  /** One server, or the master that Sentinel names. */
  static RedisLinks standalone(RedisURI uri, ClientResources resources, BiConsumer<String, String> onMessage) {
    RedisClient client = RedisClient.create(resources);
    client.setOptions(OPTIONS);
    try {
      StatefulRedisConnection<String, String> commands = client.connect(StringCodec.UTF8, uri);
      StatefulRedisPubSubConnection<String, String> pubsub = client.connectPubSub(StringCodec.UTF8, uri);
      pubsub.addListener(listener(onMessage));
      return new Links(client, commands, commands.async(), pubsub, false);
    } catch (RuntimeException e) {
      client.shutdown(Duration.ZERO, TIMEOUT);
      throw e;
    }
  }

  /** A Redis Cluster, found from its seed nodes; needs Redis 7 for sharded pub/sub. */
  static RedisLinks cluster(List<RedisURI> seeds, ClientResources resources, BiConsumer<String, String> onMessage) {
    RedisClusterClient client = RedisClusterClient.create(resources, seeds);
    client.setOptions(ClusterClientOptions.builder(OPTIONS).build());
    try {
      StatefulRedisClusterConnection<String, String> commands = client.connect(StringCodec.UTF8);
      StatefulRedisClusterPubSubConnection<String, String> pubsub = client.connectPubSub(StringCodec.UTF8);
      pubsub.addListener(listener(onMessage));
      // lettuce opens a shard's connection on the first command for it, and a client that rejects
      // commands while disconnected would refuse that first command: open them all now
      for (RedisClusterNode shard : commands.getPartitions()) {
        if (shard.getRole().isUpstream()) {
          commands.getConnection(shard.getUri().getHost(), shard.getUri().getPort());
          pubsub.getConnection(shard.getUri().getHost(), shard.getUri().getPort());
        }
      }
      return new Links(client, commands, commands.async(), pubsub, true);
    } catch (RuntimeException e) {
      client.shutdown(Duration.ZERO, TIMEOUT);
      throw e;
    }
  }

  private static RedisPubSubListener<String, String> listener(BiConsumer<String, String> onMessage) {
    return new io.lettuce.core.pubsub.RedisPubSubAdapter<>() {
      @Override
      public void message(String channel, String message) {
        onMessage.accept(channel, message);
      }

      @Override
      public void smessage(String channel, String message) {
        onMessage.accept(channel, message);
      }
    };
  }

  /** The connections of either kind; {@code sharded} picks the sharded pub/sub commands. */
  private static final class Links extends RedisLinks {
    private final io.lettuce.core.AbstractRedisClient client;
    private final StatefulConnection<String, String> commandConnection;
    private final RedisClusterAsyncCommands<String, String> commands;
    private final StatefulRedisPubSubConnection<String, String> pubsub;
    private final boolean sharded;

    Links(io.lettuce.core.AbstractRedisClient client, StatefulConnection<String, String> commandConnection,
        RedisClusterAsyncCommands<String, String> commands, StatefulRedisPubSubConnection<String, String> pubsub,
        boolean sharded) {
      this.client = client;
      this.commandConnection = commandConnection;
      this.commands = commands;
      this.pubsub = pubsub;
      this.sharded = sharded;
    }

    @Override
    RedisClusterAsyncCommands<String, String> commands() {
      return commands;
    }

    @Override
    CompletableFuture<Long> publish(String channel, String message) {
      return (sharded ? commands.spublish(channel, message) : commands.publish(channel, message)).toCompletableFuture();
    }

    @Override
    String publishCommand() {
      return sharded ? "SPUBLISH" : "PUBLISH";
    }

    @Override
    CompletableFuture<Void> subscribe(String channel) {
      return (sharded ? pubsub.async().ssubscribe(channel) : pubsub.async().subscribe(channel)).toCompletableFuture();
    }

    @Override
    CompletableFuture<Void> unsubscribe(String channel) {
      return (sharded ? pubsub.async().sunsubscribe(channel) : pubsub.async().unsubscribe(channel)).toCompletableFuture();
    }

    @Override
    boolean commandsOpen() {
      return commandConnection.isOpen();
    }

    @Override
    boolean subscriptionsOpen() {
      return pubsub.isOpen();
    }

    @Override
    public void close() {
      client.shutdown(Duration.ZERO, TIMEOUT);
    }
  }
}
