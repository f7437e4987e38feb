package dev.broadcasting.spring.autoconfigure;

import dev.broadcasting.BroadcastException;
import dev.broadcasting.BroadcastListener;
import dev.broadcasting.Broadcaster;
import dev.broadcasting.RetryPolicy;
import dev.broadcasting.internal.DriverRegistry;
import dev.broadcasting.spi.BroadcastDriver;
import dev.broadcasting.spi.BroadcastQueue;
import dev.broadcasting.spi.DriverSettings;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the {@link Broadcaster} from the properties: which connections, which default, the queue
 * (in memory or durable) and retry settings. Each driver is created from the Laravel settings of the environment, under
 * those of its connection's properties.
 */
final class BroadcasterFactory {
  private static final Logger log = LoggerFactory.getLogger(BroadcasterFactory.class);

  private final BroadcastingProperties properties;
  private final Map<String, String> environment;

  BroadcasterFactory(BroadcastingProperties properties, Map<String, String> environment) {
    this.properties = properties;
    this.environment = environment;
  }

  /**
   * The broadcaster of the properties and the contributions, changed by {@code customize}. When
   * anything fails, the drivers already made are closed before the error is thrown.
   */
  Broadcaster build(List<BroadcasterContribution> contributions, List<BroadcastListener> listeners,
      BroadcastQueue durableQueue, Consumer<Broadcaster.Builder> customize) {
    List<BroadcastDriver> created = new ArrayList<>();
    try {
      Broadcaster.Builder builder = builder(contributions, listeners, created);
      if (durableQueue != null) {
        builder.queue(durableQueue);
      }
      customize.accept(builder);
      return builder.build();
    } catch (RuntimeException | Error e) {
      for (BroadcastDriver driver : created) {
        try {
          driver.close();
        } catch (RuntimeException closing) {
          e.addSuppressed(closing);
        }
      }
      throw e;
    }
  }

  private Broadcaster.Builder builder(List<BroadcasterContribution> contributions, List<BroadcastListener> listeners,
      List<BroadcastDriver> created) {
    Broadcaster.Builder builder = Broadcaster.builder();
    Map<String, BroadcasterContribution.NamedDriver> extra = new LinkedHashMap<>();
    contributions.forEach(contribution -> extra.putAll(contribution.connections()));
    DriverSettings env = DriverSettings.of(environment);
    String defaultName = properties.getDefaultConnection() != null ? properties.getDefaultConnection()
        : env.get("BROADCAST_CONNECTION", env.get("BROADCAST_DRIVER"));
    Map<String, BroadcastingProperties.Connection> connections = new LinkedHashMap<>(properties.getConnections());
    if (connections.isEmpty() && (extra.isEmpty() || defaultName != null)) {
      if (defaultName == null) {
        log.info("No broadcasting.connections and no BROADCAST_CONNECTION: events go to the log driver");
        defaultName = "log";
      }
      if (!extra.containsKey(defaultName)) {
        connections.put(defaultName, new BroadcastingProperties.Connection());
      }
    }
    connections.forEach((name, connection) -> {
      String driverName = connection.getDriver() != null ? connection.getDriver() : name;
      Map<String, String> settings = new LinkedHashMap<>(environment);
      settings.putAll(properties.laravelSettings(driverName, connection));
      BroadcastDriver driver = create(name, driverName, settings);
      created.add(driver);
      builder.connection(name, wrap(contributions, name, driverName, driver));
    });
    extra.forEach((name, named) -> builder.connection(name, wrap(contributions, name, named.driverName(),
        named.driver())));
    checkDefault(defaultName, connections.keySet(), extra.keySet());
    if (defaultName != null) {
      builder.defaultConnection(defaultName);
    }
    queue(builder);
    listeners(builder, contributions, listeners);
    return builder;
  }

  /** The driver of connection {@code name}; the redis driver's errors name its broadcasting.redis.* properties. */
  private static BroadcastDriver create(String name, String driverName, Map<String, String> settings) {
    try {
      return DriverRegistry.create(driverName, DriverSettings.of(settings));
    } catch (BroadcastException e) {
      if (!driverName.equals("redis")) {
        throw e;
      }
      throw new IllegalStateException("broadcasting connection '" + name + "' (driver redis): "
          + BroadcastingProperties.Redis.inPropertyTerms(e.getMessage()), e);
    }
  }

  /**
   * The durable queue {@code broadcasting.queue.store} (else {@code BROADCAST_QUEUE}) names, from
   * the environment's {@code BROADCAST_QUEUE_*} settings under {@code broadcasting.queue.redis.*}.
   */
  BroadcastQueue durableQueue() {
    BroadcastingProperties.Queue queue = properties.getQueue();
    String store = queue.getStore() != null ? queue.getStore() : environment.get("BROADCAST_QUEUE");
    Map<String, String> settings = new LinkedHashMap<>(environment);
    queue.getRedis().putInto(settings);
    try {
      return BroadcastQueue.Provider.named(store).create(DriverSettings.of(settings));
    } catch (BroadcastException e) {
      throw new IllegalStateException("broadcasting.queue.store (or BROADCAST_QUEUE) is '" + store + "': "
          + BroadcastingProperties.DurableRedis.inPropertyTerms(e.getMessage())
          + " Its settings: broadcasting.queue.redis.* or BROADCAST_QUEUE_*", e);
    }
  }

  /** Says in the properties' terms what core's builder would refuse. */
  private static void checkDefault(String defaultName, Set<String> configured, Set<String> extra) {
    List<String> names = new ArrayList<>(configured);
    names.addAll(extra);
    if (defaultName == null && names.size() > 1) {
      throw new IllegalStateException("Several broadcasting connections " + names + " and no default: set "
          + "broadcasting.default-connection (or BROADCAST_CONNECTION) to one of them");
    }
    if (defaultName != null && !names.contains(defaultName)) {
      throw new IllegalStateException("broadcasting.default-connection (or BROADCAST_CONNECTION) is '" + defaultName
          + "', which is not one of the connections " + names + "; add broadcasting.connections." + defaultName
          + ".driver or name another");
    }
  }

  private static BroadcastDriver wrap(List<BroadcasterContribution> contributions, String connection,
      String driverName, BroadcastDriver driver) {
    BroadcastDriver wrapped = driver;
    for (BroadcasterContribution contribution : contributions) {
      wrapped = contribution.wrap(connection, driverName, wrapped);
    }
    return wrapped;
  }

  /** The application's listener beans, then those of the contributions: the broadcaster calls each in turn. */
  private static void listeners(Broadcaster.Builder builder, List<BroadcasterContribution> contributions,
      List<BroadcastListener> beans) {
    beans.forEach(builder::listener);
    for (BroadcasterContribution contribution : contributions) {
      BroadcastListener listener = contribution.listener();
      if (listener != null) {
        builder.listener(listener);
      }
    }
  }

  private void queue(Broadcaster.Builder builder) {
    BroadcastingProperties.Queue queue = properties.getQueue();
    set("broadcasting.queue.capacity", queue.getCapacity(), builder::queueCapacity);
    set("broadcasting.queue.max-bytes", queue.getMaxBytes(), builder::queueMaxBytes);
    set("broadcasting.queue.block-when-full", queue.getBlockWhenFull(), builder::blockWhenFull);
    set("broadcasting.queue.dispatch-threads", queue.getDispatchThreads(), builder::dispatchThreads);
    set("broadcasting.queue.attempt-timeout", queue.getAttemptTimeout(), builder::attemptTimeout);
    set("broadcasting.queue.drain-timeout", queue.getDrainTimeout(), builder::drainTimeout);
    if (queue.isSynchronous()) {
      builder.synchronous();
    }
    BroadcastingProperties.Retry retry = properties.getRetry();
    if (retry.getMaxAttempts() != null || retry.getBaseDelay() != null || retry.getMaxDelay() != null
        || retry.getDeadline() != null) {
      RetryPolicy.Builder policy = RetryPolicy.builder();
      set("broadcasting.retry.max-attempts", retry.getMaxAttempts(), policy::maxAttempts);
      set("broadcasting.retry.base-delay", retry.getBaseDelay(), policy::baseDelay);
      set("broadcasting.retry.max-delay", retry.getMaxDelay(), policy::maxDelay);
      set("broadcasting.retry.deadline", retry.getDeadline(), policy::deadline);
      try {
        builder.retry(policy.build());
      } catch (IllegalStateException e) {
        throw new IllegalStateException("broadcasting.retry: " + e.getMessage(), e);
      }
    }
  }

  /** Applies a property that is set, naming the property when the builder refuses its value. */
  private static <T> void set(String property, T value, Consumer<T> setter) {
    if (value == null) {
      return;
    }
    try {
      setter.accept(value);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(property + " is invalid: " + e.getMessage(), e);
    }
  }
}
