package dev.broadcasting;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.broadcasting.internal.DispatchOptions;
import dev.broadcasting.internal.Dispatcher;
import dev.broadcasting.internal.DriverRegistry;
import dev.broadcasting.internal.PayloadSerializer;
import dev.broadcasting.spi.BroadcastDriver;
import dev.broadcasting.spi.BroadcastMessage;
import dev.broadcasting.spi.ChannelAuthSigner;
import dev.broadcasting.spi.DriverSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends events to their channels through named connections. Build one per application and share
 * it; it is thread-safe. Events are queued and sent off the caller's thread, in order per channel,
 * retried on transient failures, and drained on {@link #close()}.
 *
 * <pre>{@code
 * Broadcaster broadcaster = Broadcaster.fromEnvironment(); // BROADCAST_CONNECTION=pusher, PUSHER_APP_KEY=...
 * broadcaster.broadcast(new OrderShipped(42, "UPS"));
 * broadcaster.toOthers(socketId).broadcast(new MessagePosted(roomId, text));
 * broadcaster.on(new Channel("orders")).as("OrderPlaced").with(Map.of("id", 42)).send();
 * }</pre>
 */
public final class Broadcaster implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Broadcaster.class);

  private final Map<String, BroadcastDriver> connections;
  private final String defaultConnection;
  private final PayloadSerializer serializer;
  private final Dispatcher dispatcher;
  private final RetryPolicy retryPolicy;
  private final Duration drainTimeout;
  private final boolean synchronous;
  private final PendingBroadcast plain;
  private volatile boolean closed;

  private Broadcaster(Builder builder) {
    this.connections = Collections.unmodifiableMap(new LinkedHashMap<>(builder.connections));
    this.defaultConnection = builder.defaultConnection;
    this.serializer = new PayloadSerializer(builder.mapper != null ? builder.mapper : PayloadSerializer.defaultMapper());
    this.retryPolicy = builder.retryPolicy;
    this.drainTimeout = builder.drainTimeout;
    this.synchronous = builder.synchronous;
    this.dispatcher = new Dispatcher(
        new DispatchOptions(builder.capacity, builder.maxBytes, builder.blockWhenFull, builder.threads,
            builder.attemptTimeout),
        builder.listener, builder.onFailure);
    this.plain = new PendingBroadcast(this, null, List.of());
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * A broadcaster with one connection, configured from the environment with Laravel's variable
   * names: {@code BROADCAST_CONNECTION} (or {@code BROADCAST_DRIVER}) names the driver, which reads
   * its own variables. Unset, the {@code log} driver is used and says so.
   */
  public static Broadcaster fromEnvironment() {
    return fromMap(System.getenv());
  }

  /** As {@link #fromEnvironment()}, from {@code Properties} a framework has loaded. */
  public static Broadcaster fromProperties(Properties properties) {
    Map<String, String> map = new LinkedHashMap<>();
    properties.stringPropertyNames().forEach(name -> map.put(name, properties.getProperty(name)));
    return fromMap(map);
  }

  /** As {@link #fromEnvironment()}, from a map with the same keys. */
  public static Broadcaster fromMap(Map<String, String> settings) {
    DriverSettings driverSettings = DriverSettings.of(settings);
    String name = driverSettings.get("BROADCAST_CONNECTION", driverSettings.get("BROADCAST_DRIVER"));
    if (name == null) {
      log.info("Neither BROADCAST_CONNECTION nor BROADCAST_DRIVER is set: events go to the log driver");
      name = "log";
    }
    return builder().connection(name, name, settings).build();
  }

  /** Sends {@code event} on its connections: queued, or at once for a {@link ShouldBroadcastNow}. */
  public CompletableFuture<Void> broadcast(ShouldBroadcast event) {
    return plain.broadcast(event);
  }

  /**
   * Queues several events at once. The events bound for one connection go to its driver together,
   * as one batch (Pusher's {@code batch_events}, at most 10 to a request), in the order given, and
   * succeed or fail together. The serialization errors of {@link #broadcast} are thrown before
   * anything is queued.
   */
  public CompletableFuture<Void> broadcastAll(Collection<? extends ShouldBroadcast> events) {
    Map<String, List<BroadcastMessage>> byConnection = new LinkedHashMap<>();
    for (ShouldBroadcast event : events) {
      Objects.requireNonNull(event, "event");
      if (!event.broadcastWhen()) {
        continue;
      }
      BroadcastMessage message = message(event, event.getClass(), eventName(event), event.broadcastOn(),
          event.broadcastWith(), null);
      if (message != null) {
        for (String connection : targets(event.broadcastConnections())) {
          byConnection.computeIfAbsent(connection, name -> new ArrayList<>()).add(message);
        }
      }
    }
    Map<String, BroadcastDriver> drivers = new LinkedHashMap<>();
    byConnection.forEach((connection, messages) -> drivers.put(connection, driver(connection, messages.get(0))));
    List<CompletableFuture<Void>> sends = new ArrayList<>(byConnection.size());
    byConnection.forEach((connection, messages) -> sends.add(synchronous
        ? dispatcher.sendNow(connection, drivers.get(connection), messages)
        : dispatcher.enqueue(connection, drivers.get(connection), messages, retryPolicy)));
    return CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new));
  }

  /** Broadcasts that leave out the client with {@code socketId}, typically the one that caused them. */
  public PendingBroadcast toOthers(String socketId) {
    return plain.toOthers(socketId);
  }

  /** Broadcasts on the named connections instead of the event's or the default one. */
  public PendingBroadcast via(String... connections) {
    return plain.via(connections);
  }

  /** An anonymous broadcast, with no event class: {@code on(channel).as("name").with(payload).send()}. */
  public AnonymousBroadcast on(Channel... channels) {
    return plain.on(channels);
  }

  public AnonymousBroadcast on(Collection<? extends Channel> channels) {
    return plain.on(channels);
  }

  /** The signer of channel authorization answers: that of the default connection's driver. */
  public ChannelAuthSigner authSigner() {
    return connections.get(defaultConnection).authSigner();
  }

  public String defaultConnection() {
    return defaultConnection;
  }

  public Set<String> connectionNames() {
    return connections.keySet();
  }

  /** Events queued or in flight, not yet delivered or failed. */
  public int queueDepth() {
    return dispatcher.depth();
  }

  /**
   * Stops taking events, waits up to the drain timeout for those queued, reports each one not
   * delivered to the failure handler, then closes the drivers. Idempotent.
   */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    int abandoned = dispatcher.close(drainTimeout);
    if (abandoned > 0) {
      log.error("{} events were not delivered before close; each was reported to the failure handler", abandoned);
    }
    for (Map.Entry<String, BroadcastDriver> connection : connections.entrySet()) {
      try {
        connection.getValue().close();
      } catch (Exception e) {
        log.warn("Closing connection '{}' failed", connection.getKey(), e);
      }
    }
  }

  CompletableFuture<Void> dispatch(ShouldBroadcast event, String socketId, List<String> via) {
    Objects.requireNonNull(event, "event");
    if (!event.broadcastWhen()) {
      return CompletableFuture.completedFuture(null);
    }
    List<String> targets = !via.isEmpty() ? via : event.broadcastConnections();
    return send(event, event.getClass(), eventName(event), event.broadcastOn(), event.broadcastWith(),
        socketId, targets, event instanceof ShouldBroadcastNow, event.broadcastRetry());
  }

  CompletableFuture<Void> send(Object source, Class<?> eventClass, String name, List<? extends Channel> channels,
      Object payload, String socketId, List<String> via, boolean now, RetryPolicy policy) {
    BroadcastMessage message = message(source, eventClass, name, channels, payload, socketId);
    if (message == null) {
      return CompletableFuture.completedFuture(null);
    }
    List<String> targets = targets(via);
    if (targets.size() == 1) {
      return sendOn(targets.get(0), message, now, policy);
    }
    List<CompletableFuture<Void>> sends = new ArrayList<>(targets.size());
    for (String target : targets) {
      sends.add(sendOn(target, message, now, policy));
    }
    return CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new));
  }

  /** The message, serialized once for every connection; null when there are no channels. */
  private BroadcastMessage message(Object source, Class<?> eventClass, String name, List<? extends Channel> channels,
      Object payload, String socketId) {
    if (channels == null || channels.isEmpty()) {
      log.debug("{} has no channels; nothing was broadcast", eventClass.getName());
      return null;
    }
    List<Channel> unique = unique(channels, eventClass);
    String json = serializer.serialize(payload, eventClass);
    return BroadcastMessage.of(name, unique, json, socketId, source);
  }

  private static String eventName(ShouldBroadcast event) {
    String name = event.broadcastAs();
    if (name == null || name.isBlank()) {
      throw new BroadcastException(event.getClass().getName() + ".broadcastAs() returned no name; return the "
          + "event name clients listen for, or remove the override to use the class name");
    }
    return name;
  }

  private List<String> targets(List<String> via) {
    return via == null || via.isEmpty() ? List.of(defaultConnection) : List.copyOf(new LinkedHashSet<>(via));
  }

  private BroadcastDriver driver(String connection, BroadcastMessage message) {
    BroadcastDriver driver = connections.get(connection);
    if (driver == null) {
      throw new BroadcastException(message.describe() + " names connection '" + connection
          + "', which is not configured. Connections: " + connections.keySet());
    }
    return driver;
  }

  private CompletableFuture<Void> sendOn(String connection, BroadcastMessage message, boolean now, RetryPolicy policy) {
    BroadcastDriver driver = driver(connection, message);
    if (now || synchronous) {
      return dispatcher.sendNow(connection, driver, List.of(message));
    }
    return dispatcher.enqueue(connection, driver, message, policy != null ? policy : retryPolicy);
  }

  private static List<Channel> unique(List<? extends Channel> channels, Class<?> eventClass) {
    if (channels.size() == 1 && channels.get(0) != null) {
      return List.of(channels.get(0));
    }
    LinkedHashSet<Channel> unique = new LinkedHashSet<>(channels.size() * 2);
    for (Channel channel : channels) {
      if (channel == null) {
        throw new BroadcastException(eventClass.getName() + ".broadcastOn() returned a null channel");
      }
      unique.add(channel);
    }
    return List.copyOf(unique);
  }

  /**
   * Configures a {@link Broadcaster}. Each setter checks its value at once and says what is wrong.
   *
   * <pre>{@code
   * Broadcaster broadcaster = Broadcaster.builder()
   *     .connection("pusher", "pusher", Map.of("PUSHER_APP_ID", "1", "PUSHER_APP_KEY", "k", "PUSHER_APP_SECRET", s))
   *     .connection("audit", "log", Map.of())
   *     .defaultConnection("pusher")
   *     .queueCapacity(50_000)
   *     .onFailure(failed -> deadLetters.save(failed))
   *     .build();
   * }</pre>
   */
  public static final class Builder {
    private final Map<String, BroadcastDriver> connections = new LinkedHashMap<>();
    private String defaultConnection;
    private ObjectMapper mapper;
    private int capacity = 10_000;
    private long maxBytes = 64L * 1024 * 1024;
    private Duration blockWhenFull = Duration.ofSeconds(5);
    private int threads = Math.max(2, Runtime.getRuntime().availableProcessors());
    private Duration attemptTimeout = Duration.ofSeconds(30);
    private Duration drainTimeout = Duration.ofSeconds(30);
    private RetryPolicy retryPolicy = RetryPolicy.defaults();
    private BroadcastListener listener = new BroadcastListener() {};
    private Consumer<FailedBroadcast> onFailure = failed -> {};
    private boolean synchronous;

    private Builder() {}

    /** Adds a connection served by {@code driver}; the broadcaster closes it on close. */
    public Builder connection(String name, BroadcastDriver driver) {
      Objects.requireNonNull(driver, "driver");
      checkName(name);
      connections.put(name, driver);
      return this;
    }

    /**
     * Adds a connection served by the driver named {@code driverName}, found on the classpath and
     * created from {@code settings} (Laravel's variable names, e.g. {@code PUSHER_APP_KEY}).
     */
    public Builder connection(String name, String driverName, Map<String, String> settings) {
      Objects.requireNonNull(driverName, "driverName");
      checkName(name);
      connections.put(name, DriverRegistry.create(driverName, DriverSettings.of(settings)));
      return this;
    }

    /** The connection for events that name none. Optional when there is one connection. */
    public Builder defaultConnection(String name) {
      this.defaultConnection = Objects.requireNonNull(name, "name");
      return this;
    }

    /** The mapper payloads are serialized with; by default one with the modules found on the classpath. */
    public Builder objectMapper(ObjectMapper mapper) {
      this.mapper = Objects.requireNonNull(mapper, "mapper");
      return this;
    }

    /** The most events queued or in flight at once; 10,000 by default. */
    public Builder queueCapacity(int events) {
      if (events < 1) {
        throw new IllegalArgumentException("queueCapacity must be at least 1 but was " + events);
      }
      this.capacity = events;
      return this;
    }

    /** The most payload bytes queued or in flight at once; 64 MiB by default. */
    public Builder queueMaxBytes(long bytes) {
      if (bytes < 1) {
        throw new IllegalArgumentException("queueMaxBytes must be at least 1 but was " + bytes);
      }
      this.maxBytes = bytes;
      return this;
    }

    /**
     * When the queue is full, {@code broadcast} waits up to {@code timeout} for room, then returns a
     * failed future and reports the event to the failure handler. The default, with 5 seconds.
     */
    public Builder blockWhenFull(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout");
      if (timeout.isNegative()) {
        throw new IllegalArgumentException("blockWhenFull timeout must not be negative but was " + timeout);
      }
      this.blockWhenFull = timeout;
      return this;
    }

    /** When the queue is full, {@code broadcast} returns a failed future at once, and reports the event. */
    public Builder failWhenFull() {
      this.blockWhenFull = Duration.ZERO;
      return this;
    }

    /** Threads that call the drivers; by default the number of processors, at least 2. */
    public Builder dispatchThreads(int threads) {
      if (threads < 1) {
        throw new IllegalArgumentException("dispatchThreads must be at least 1 but was " + threads);
      }
      this.threads = threads;
      return this;
    }

    /** How long one driver call may take before it counts as a retryable failure; 30 s by default. */
    public Builder attemptTimeout(Duration timeout) {
      this.attemptTimeout = positive("attemptTimeout", timeout);
      return this;
    }

    /** How long {@link Broadcaster#close()} waits for queued events; 30 s by default. */
    public Builder drainTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout");
      if (timeout.isNegative()) {
        throw new IllegalArgumentException("drainTimeout must not be negative but was " + timeout);
      }
      this.drainTimeout = timeout;
      return this;
    }

    /** The retry policy of events that do not give their own. */
    public Builder retry(RetryPolicy policy) {
      this.retryPolicy = Objects.requireNonNull(policy, "policy");
      return this;
    }

    public Builder listener(BroadcastListener listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /**
     * Receives every event that will not be delivered, once: refused at intake, failed after its
     * last attempt, or left when close timed out. Laravel's {@code failed()}.
     */
    public Builder onFailure(Consumer<FailedBroadcast> handler) {
      this.onFailure = Objects.requireNonNull(handler, "handler");
      return this;
    }

    /** Sends every event on the caller's thread, as if it were {@link ShouldBroadcastNow}: for tests and scripts. */
    public Builder synchronous() {
      this.synchronous = true;
      return this;
    }

    public Broadcaster build() {
      if (connections.isEmpty()) {
        throw new IllegalStateException("No connection configured: add one with connection(name, driver) "
            + "or connection(name, driverName, settings), or use Broadcaster.fromEnvironment()");
      }
      if (defaultConnection == null) {
        if (connections.size() > 1) {
          throw new IllegalStateException("Several connections " + connections.keySet()
              + " and no default: call defaultConnection(name)");
        }
        defaultConnection = connections.keySet().iterator().next();
      } else if (!connections.containsKey(defaultConnection)) {
        throw new IllegalStateException("defaultConnection '" + defaultConnection
            + "' is not one of the connections " + connections.keySet());
      }
      return new Broadcaster(this);
    }

    private void checkName(String name) {
      Objects.requireNonNull(name, "name");
      if (name.isBlank()) {
        throw new IllegalArgumentException("connection name must not be blank");
      }
      if (connections.containsKey(name)) {
        throw new IllegalStateException("connection '" + name + "' was already added");
      }
    }

    private static Duration positive(String what, Duration value) {
      Objects.requireNonNull(value, what);
      if (value.isNegative() || value.isZero()) {
        throw new IllegalArgumentException(what + " must be positive but was " + value);
      }
      return value;
    }
  }
}
