package dev.broadcasting.server.redis.internal;

import dev.broadcasting.server.spi.LocalApp;
import dev.broadcasting.server.spi.SharedApp;
import io.lettuce.core.RedisURI;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's Redis connections ({@link RedisLinks}), its apps, and the lease that keeps it a member of the cluster. Lettuce reconnects by itself; every
 * quarter lease the node renews its lease, drops the nodes whose lease ran out, and registers its
 * whole state again after Redis was out of reach.
 */
public final class RedisNode implements AutoCloseable {
  /** How long a read waits for the command connection to come back, and how often it looks. */
  private static final long COMMANDS_WAIT_MILLIS = 5_000;
  private static final long COMMANDS_LOOK_MILLIS = 20;
  private static final Logger log = LoggerFactory.getLogger(RedisNode.class);

  private final String id;
  private final String keyPrefix;
  private final long leaseMillis;
  private final String description;
  private final ClientResources resources;
  final RedisLinks links;
  final ClusterScript script;
  final ClusterScript historyScript;
  private final Map<String, RedisSharedApp> apps = new ConcurrentHashMap<>();
  private final ScheduledThreadPoolExecutor leaseThread;
  private volatile String lastFailure;
  private volatile long failingSince;
  private volatile boolean closed;

  /**
   * Connects to the Redis at {@code uri}, or to the Redis Cluster of {@code clusterSeeds} when
   * that is not empty.
   */
  public RedisNode(RedisURI uri, List<RedisURI> clusterSeeds, String keyPrefix, String id, Duration lease,
      String description) {
    this.id = id;
    this.keyPrefix = keyPrefix;
    this.leaseMillis = lease.toMillis();
    this.description = description;
    // reconnect quickly: a node that cannot reach Redis serves only its own sockets meanwhile
    this.resources = ClientResources.builder()
        .reconnectDelay(Delay.exponential(Duration.ofMillis(50), Duration.ofSeconds(2), 2, TimeUnit.MILLISECONDS))
        .build();
    try {
      this.links = clusterSeeds.isEmpty() ? RedisLinks.standalone(uri, resources, this::route)
          : RedisLinks.cluster(clusterSeeds, resources, this::route);
    } catch (RuntimeException e) {
      resources.shutdown(0, 2, TimeUnit.SECONDS);
      throw new IllegalStateException(description + " could not connect to Redis (" + e.getMessage()
          + "); start Redis or correct the URI", e);
    }
    this.script = new ClusterScript(links.commands(), "cluster.lua");
    this.historyScript = new ClusterScript(links.commands(), "history.lua");
    this.leaseThread = new ScheduledThreadPoolExecutor(1, runnable -> {
      Thread thread = new Thread(runnable, "broadcast-server-redis-lease");
      thread.setDaemon(true);
      return thread;
    });
    long period = Math.max(100, leaseMillis / 4);
    leaseThread.scheduleWithFixedDelay(this::renew, period, period, TimeUnit.MILLISECONDS);
  }

  public String id() {
    return id;
  }

  long leaseMillis() {
    return leaseMillis;
  }

  public SharedApp attach(String appId, LocalApp local) {
    RedisSharedApp app = new RedisSharedApp(this, appId, keyPrefix, local);
    if (apps.putIfAbsent(appId, app) != null) {
      throw new IllegalStateException("App " + appId + " is already attached to " + description);
    }
    app.register().toCompletableFuture().orTimeout(5, TimeUnit.SECONDS).whenComplete((done, error) -> {
      if (error != null) {
        failed("registering app " + appId, error);
      }
    });
    return app;
  }

  /** Null while both connections are up and the last lease renewal worked. */
  public String problem() {
    if (closed) {
      return "the backplane is closed";
    }
    if (!links.isOpen()) {
      return "the connection to Redis is lost; reconnecting";
    }
    return lastFailure;
  }

  /**
   * While the pub/sub connection is back and the command connection is not yet: completes once the
   * latter is open too, or after {@value #COMMANDS_WAIT_MILLIS} ms. The two reconnect each on its
   * own, and an event heard on the pub/sub one first shows a gap whose read would be refused at
   * once (commands fail while disconnected), telling the sockets 'unavailable' while Redis still
   * keeps the events. Otherwise at once: with both down, Redis is away and a read fails as before.
   */
  CompletableFuture<Void> whenCommandsOpen() {
    if (links.commandsOpen() || !links.subscriptionsOpen()) {
      return CompletableFuture.completedFuture(null);
    }
    CompletableFuture<Void> open = new CompletableFuture<>();
    lookAgain(open, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(COMMANDS_WAIT_MILLIS));
    return open;
  }

  private void lookAgain(CompletableFuture<Void> open, long giveUpAt) {
    if (links.commandsOpen() || closed || System.nanoTime() - giveUpAt >= 0) {
      open.complete(null); // past the wait, the read goes and fails as it would have
      return;
    }
    try {
      // on lettuce's own timer threads, never held up as the lease thread is while Redis is away
      resources.eventExecutorGroup().schedule(() -> lookAgain(open, giveUpAt), COMMANDS_LOOK_MILLIS,
          TimeUnit.MILLISECONDS);
    } catch (RuntimeException shutDown) {
      open.complete(null);
    }
  }

  private void route(String redisChannel, String message) {
    if (!redisChannel.startsWith(keyPrefix)) {
      return;
    }
    String rest = redisChannel.substring(keyPrefix.length());
    int colon = rest.indexOf(':');
    RedisSharedApp app = colon < 0 ? null : apps.get(rest.substring(0, colon));
    if (app != null) {
      app.received(rest.substring(colon + 1), message);
    }
  }

  private void renew() {
    boolean wasFailing = lastFailure != null;
    for (RedisSharedApp app : apps.values()) {
      try {
        app.renew(wasFailing).toCompletableFuture().get(leaseMillis, TimeUnit.MILLISECONDS);
      } catch (Exception e) {
        failed("renewing the lease of app " + app.appId(), e);
        return;
      }
    }
    if (wasFailing) {
      // Redis pub/sub keeps nothing for a subscriber that is away: say what may have been missed
      log.warn("{}: Redis is reachable again after {} ms and this node's state is registered; events published "
          + "on other nodes meanwhile did not reach this node's sockets", description,
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - failingSince));
    }
    lastFailure = null;
  }

  private void failed(String what, Throwable error) {
    Throwable cause = error instanceof java.util.concurrent.ExecutionException && error.getCause() != null
        ? error.getCause() : error;
    if (lastFailure == null && !closed) {
      log.warn("{}: {} failed ({}); serving this node's sockets only until Redis answers", description, what,
          cause.toString());
    }
    if (lastFailure == null) {
      failingSince = System.nanoTime();
    }
    lastFailure = what + " failed: " + cause.getMessage();
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    leaseThread.shutdownNow();
    for (RedisSharedApp app : apps.values()) {
      try {
        app.leaveCluster().toCompletableFuture().get(2, TimeUnit.SECONDS);
      } catch (Exception e) {
        log.info("{}: app {} could not leave the cluster ({}); the others remove it when its lease runs out",
            description, app.appId(), e.toString());
      }
    }
    closed = true;
    links.close();
    resources.shutdown(0, 2, TimeUnit.SECONDS);
  }
}
