package dev.broadcasting.redis.internal;

import dev.broadcasting.BroadcastException;
import dev.broadcasting.resp.internal.TrustSettings;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds the driver's one connection: opened at build time or on first use, opened again on the
 * next use after an attempt failed, and then kept up by lettuce's own reconnection. It shuts down
 * the lettuce client only when the driver created it.
 */
public final class RedisConnector {
  private static final Logger log = LoggerFactory.getLogger(RedisConnector.class);

  /** An open connection and the commands of it that the driver uses, standalone or cluster alike. */
  public record Open(StatefulConnection<byte[], byte[]> connection,
      RedisClusterAsyncCommands<byte[], byte[]> commands) {}

  private final Supplier<CompletableFuture<Open>> opener;
  private final AbstractRedisClient ownedClient;
  private final String address;
  private final Object lock = new Object();
  private CompletableFuture<Open> open;
  private boolean closed;

  private RedisConnector(Supplier<CompletableFuture<Open>> opener, AbstractRedisClient ownedClient, String address) {
    this.opener = opener;
    this.ownedClient = ownedClient;
    this.address = address;
  }

  /** A connection to one server, or to the master a Sentinel names, made by {@code client}. */
  public static RedisConnector standalone(RedisClient client, RedisURI uri, boolean owned, String address) {
    return new RedisConnector(() -> client.connectAsync(ByteArrayCodec.INSTANCE, uri).toCompletableFuture()
        .thenApply(c -> new Open(c, c.async())), owned ? client : null, address);
  }

  /** A cluster connection that routes each command to the node that serves it. */
  public static RedisConnector cluster(RedisClusterClient client, boolean owned, String address) {
    // lettuce's connectAsync needs the cluster topology loaded first, which only its blocking
    // connect() does; so that runs on a thread of its own, once per attempt, off the caller's
    return new RedisConnector(() -> CompletableFuture.supplyAsync(() -> {
      StatefulRedisClusterConnection<byte[], byte[]> c = client.connect(ByteArrayCodec.INSTANCE);
      // lettuce opens a node's connection on the first command for it, and a client that rejects
      // commands while disconnected would refuse that first command: open them all now
      for (RedisClusterNode node : c.getPartitions()) {
        if (node.getRole().isUpstream()) {
          c.getConnection(node.getUri().getHost(), node.getUri().getPort());
        }
      }
      return new Open(c, c.async());
    }, RedisConnector::startThread), owned ? client : null, address);
  }

  private static void startThread(Runnable task) {
    Thread thread = new Thread(task, "broadcasting-redis-connect");
    thread.setDaemon(true);
    thread.start();
  }

  /** The open connection, opening it if no attempt is under way or the last one failed. */
  public CompletableFuture<Open> open() {
    synchronized (lock) {
      if (closed) {
        return CompletableFuture.failedFuture(
            new BroadcastException("The Redis driver for " + address + " is closed"));
      }
      if (open == null || open.isCompletedExceptionally()) {
        try {
          open = opener.get();
        } catch (RuntimeException e) {
          open = CompletableFuture.failedFuture(e);
        }
      }
      return open;
    }
  }

  /** Opens the connection now, failing with an error that names the address when Redis is not there. */
  public void connect(Duration timeout) {
    try {
      open().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      close();
      throw new BroadcastException("Interrupted while connecting to Redis at " + address, e);
    } catch (Exception e) {
      close();
      throw cannotStart(new RedisFailures(address, timeout).map(e));
    }
  }

  /** The error of a driver that could not connect when it was built, with what to do about it. */
  public static BroadcastException cannotStart(BroadcastException cause) {
    // a refusal (a wrong password) already says what to fix; starting later would not help
    // lettuce reports a certificate refused as retryable; the publish socket's refusal says what to set already
    String advice = !cause.isRetryable() ? ""
        : TrustSettings.refusedCertificate(cause) != null ? ". " + RedisDriverProvider.TRUST.refusedAdvice()
        : ". Start Redis or fix its address, or connect on the first broadcast instead: BROADCAST_REDIS_LAZY=true in "
            + "the settings, or lazyConnect() on the driver's builder";
    return new BroadcastException("Cannot start the redis broadcast driver: " + cause.getMessage() + advice,
        cause, cause.isRetryable(), 0);
  }

  /** Closes the connection, and the lettuce client if the driver created it. Idempotent. */
  public void close() {
    CompletableFuture<Open> current;
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      current = open;
    }
    if (current != null) {
      // an attempt still under way is closed when it completes, so nothing is left open
      current.thenAccept(o -> o.connection().close());
    }
    if (ownedClient != null) {
      try {
        ownedClient.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      } catch (RuntimeException e) {
        log.warn("Shutting down the lettuce client for Redis at {} failed", address, e);
      }
    }
  }
}
