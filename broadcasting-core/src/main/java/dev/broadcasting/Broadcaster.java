package dev.broadcasting;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.broadcasting.internal.DispatchOptions;
import dev.broadcasting.internal.Dispatcher;
import dev.broadcasting.internal.DriverRegistry;
import dev.broadcasting.internal.PayloadSerializer;
import dev.broadcasting.spi.BroadcastDriver;
import dev.broadcasting.spi.BroadcastQueue;
import dev.broadcasting.spi.BroadcastMessage;
import dev.broadcasting.spi.ChannelAuthSigner;
import dev.broadcasting.spi.DriverSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
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
  private final BroadcastGate gate;
  /** Null: queued events wait in the dispatcher's memory only. */
  private final BroadcastQueue queue;
  private volatile boolean closed;

  private Broadcaster(Builder builder) {
    this.connections = Collections.unmodifiableMap(new LinkedHashMap<>(builder.connections));
    this.defaultConnection = builder.defaultConnection;
    this.serializer = new PayloadSerializer(builder.mapper != null ? builder.mapper : PayloadSerializer.defaultMapper());
    this.retryPolicy = builder.retryPolicy;
    this.drainTimeout = builder.drainTimeout;
    this.synchronous = builder.synchronous;
    this.gate = builder.gate;
    this.dispatcher = new Dispatcher(new DispatchOptions(builder.capacity, builder.maxBytes, builder.blockWhenFull,
        builder.threads, builder.attemptTimeout, builder.ticker, builder.scheduler, builder.callbackExecutor,
        builder.listeners, builder.onFailure, builder.perChannelOrder));
    this.queue = builder.queue;
    if (queue != null) {
      if (builder.listeners.isEmpty()) {
        queue.start(this::deliver);
      } else {
        queue.start(this::deliver, dispatcher::queueStats);
      }
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * A broadcaster with one connection, configured from the environment with Laravel's variable
   * names: {@code BROADCAST_CONNECTION} (or {@code BROADCAST_DRIVER}) names the driver, which reads
   * its own variables. Unset, the {@code log} driver is used and says so. {@code BROADCAST_QUEUE}
   * names a durable queue ({@code redis}, from {@code broadcasting-queue-redis}); unset or
   * {@code memory}, queued events wait in memory.
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
    Builder builder = builder().connection(name, name, settings);
    String queueName = driverSettings.get("BROADCAST_QUEUE", "memory");
    if (!queueName.equals("memory")) {
      try {
        builder.queue(BroadcastQueue.Provider.named(queueName).create(driverSettings));
      } catch (RuntimeException | Error e) {
        builder.created.forEach(Builder::closeQuietly);
        throw e;
      }
    }
    return builder.build();
  }

  /**
   * Sends {@code event} on its connections: queued, or for a {@link ShouldBroadcastNow} on the
   * caller's thread. Serialization errors are thrown here; a driver's failure of a queued event
   * only fails the returned future (and reaches the failure handler).
   */
  public CompletableFuture<Void> broadcast(ShouldBroadcast event) {
    return submit(Request.all(List.of(Objects.requireNonNull(event, "event")), null, List.of()));
  }

  /**
   * Sends several events at once. The events bound for one connection go to its driver together,
   * as one batch (Pusher's {@code batch_events}, at most 10 to a request), in the order given, and
   * succeed or fail together. Each event's {@code broadcastRetry()} and {@link ShouldBroadcastNow}
   * are honoured: events that differ in these go in separate batches, in the order of their first
   * event. The serialization errors of {@link #broadcast} are thrown before anything is queued.
   */
  public CompletableFuture<Void> broadcastAll(Collection<? extends ShouldBroadcast> events) {
    return submit(Request.all(events, null, List.of()));
  }

  /** Broadcasts that leave out the client with {@code socketId}, typically the one that caused them. */
  public PendingBroadcast toOthers(String socketId) {
    return new PendingBroadcast(this, null, List.of()).toOthers(socketId);
  }

  /** Broadcasts on the named connections instead of the event's or the default one. */
  public PendingBroadcast via(String... connections) {
    return new PendingBroadcast(this, null, List.of()).via(connections);
  }

  /** An anonymous broadcast, with no event class: {@code on(channel).as("name").with(payload).send()}. */
  public AnonymousBroadcast on(Channel... channels) {
    return on(Arrays.asList(channels));
  }

  public AnonymousBroadcast on(Collection<? extends Channel> channels) {
    return new AnonymousBroadcast(this, AnonymousBroadcast.checked(channels), null, List.of());
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

  /**
   * Events queued or in flight in this process's memory, not yet delivered or failed. With a
   * durable queue, the events waiting in it are counted by the queue itself.
   */
  public int queueDepth() {
    return dispatcher.depth();
  }

  /**
   * Stops taking events and gives those queued, in retry or in flight up to the drain timeout in
   * all; then cancels the requests still open, reports each event not delivered to the failure
   * handler once, logs one summary line, and closes the drivers. Idempotent.
   */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    if (queue != null) {
      queue.stop(drainTimeout);
    }
    int failed = dispatcher.close(drainTimeout);
    if (failed > 0) {
      log.error("{} {} not delivered before close; each was reported to the failure handler", failed,
          failed == 1 ? "event was" : "events were");
    }
    if (queue != null) {
      try {
        queue.close();
      } catch (RuntimeException e) {
        log.warn("Closing the durable queue failed", e);
      }
    }
    closeAll(connections);
  }

  private static void closeAll(Map<String, BroadcastDriver> drivers) {
    for (Map.Entry<String, BroadcastDriver> connection : drivers.entrySet()) {
      try {
        connection.getValue().close();
      } catch (Exception e) {
        log.warn("Closing connection '{}' failed", connection.getKey(), e);
      }
    }
  }

  /**
   * The one way in: serializes every request once, resolves every connection, and only then hands
   * the dispatcher one unit per (connection, {@code now}, retry policy), in the order of each
   * unit's first event. Nothing is queued when any request is wrong.
   */
  CompletableFuture<Void> submit(List<Request> requests) {
    // a few units at most (connections x now x policy): a list searched in order beats a map per call
    List<Unit> units = new ArrayList<>(2);
    List<EventViews.Lazy> inOrder = new ArrayList<>(requests.size());
    for (Request request : requests) {
      if (request.channels().isEmpty()) {
        log.debug("{} has no channels; nothing was broadcast", request.describe());
        continue;
      }
      String json = serializer.serialize(request.payload(), request.eventClass());
      BroadcastMessage message = BroadcastMessage.of(request.name(), request.channels(), json, request.socketId(),
          request.source() == null ? null : request.eventClass());
      EventViews.Lazy view = new EventViews.Lazy(message, request.source());
      inOrder.add(view);
      boolean now = synchronous || request.now();
      RetryPolicy policy = request.policy() != null ? request.policy() : now ? RetryPolicy.none() : retryPolicy;
      for (String connection : targets(request.via())) {
        if (!connections.containsKey(connection)) {
          throw new BroadcastException(request.describe() + " names connection '" + connection
              + "', which is not configured. Connections: " + connections.keySet());
        }
        Unit.find(units, connection, now, policy).add(message, view);
      }
    }
    if (units.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    return gate.admit(EventViews.of(inOrder), () -> dispatch(units));
  }

  private CompletableFuture<Void> dispatch(List<Unit> units) {
    if (units.size() == 1) {
      return dispatch(units.get(0));
    }
    List<CompletableFuture<Void>> sends = new ArrayList<>(units.size());
    for (Unit unit : units) {
      sends.add(dispatch(unit));
    }
    return CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new));
  }

  private CompletableFuture<Void> dispatch(Unit unit) {
    List<BroadcastEvent> events = EventViews.of(unit.events);
    return queue != null && !unit.now ? enqueue(unit, unit.messages, events)
        : dispatcher.submit(unit.connection, connections.get(unit.connection), unit.messages, events, unit.policy,
            unit.now);
  }

  /** Into the durable queue; an event it could not store is refused as a full in-memory queue refuses. */
  private CompletableFuture<Void> enqueue(Unit unit, List<BroadcastMessage> batch, List<BroadcastEvent> views) {
    if (closed) {
      return dispatcher.reject(unit.connection, views, "the broadcaster is closed");
    }
    try {
      return queue.enqueue(unit.connection, batch, unit.policy);
    } catch (BroadcastException e) {
      return dispatcher.reject(unit.connection, views, e.getMessage());
    }
  }

  /** The durable queue's workers send through here: the same dispatcher as every other event. */
  private CompletableFuture<Void> deliver(String connection, List<BroadcastMessage> messages, RetryPolicy policy) {
    List<BroadcastEvent> views = new ArrayList<>(messages.size());
    for (BroadcastMessage message : messages) {
      views.add(new BroadcastEvent(message.id(), message.event(), message.channels(), message.payload(),
          message.socketId(), null));
    }
    BroadcastDriver driver = connections.get(connection);
    if (driver == null) {
      return dispatcher.reject(connection, views, "connection '" + connection + "' is not configured in this "
          + "process (" + connections.keySet() + "); configure it on every worker");
    }
    return dispatcher.submit(connection, driver, messages, views, policy, false);
  }

  private List<String> targets(List<String> via) {
    return via.isEmpty() ? List.of(defaultConnection) : via;
  }

  /** The messages of one call that go to one connection together: same connection, {@code now} and policy. */
  private static final class Unit {
    final String connection;
    final boolean now;
    final RetryPolicy policy;
    /** One message (the usual broadcast) as an immutable list of one, grown to an array list by a second one. */
    List<BroadcastMessage> messages = List.of();
    List<EventViews.Lazy> events = List.of();

    private Unit(String connection, boolean now, RetryPolicy policy) {
      this.connection = connection;
      this.now = now;
      this.policy = policy;
    }

    /** The unit of {@code units} with these three, added at the end when there is none yet. */
    static Unit find(List<Unit> units, String connection, boolean now, RetryPolicy policy) {
      for (Unit unit : units) {
        if (unit.now == now && unit.connection.equals(connection) && unit.policy.equals(policy)) {
          return unit;
        }
      }
      Unit unit = new Unit(connection, now, policy);
      units.add(unit);
      return unit;
    }

    void add(BroadcastMessage message, EventViews.Lazy event) {
      if (messages.isEmpty()) {
        messages = List.of(message);
        events = List.of(event);
        return;
      }
      if (messages.size() == 1) {
        messages = new ArrayList<>(messages);
        events = new ArrayList<>(events);
      }
      messages.add(message);
      events.add(event);
    }
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
   *     .callbackExecutor(deadLetterPool) // the handler below blocks: keep it off the dispatcher's threads
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
    private final List<BroadcastListener> listeners = new ArrayList<>();
    private Consumer<FailedBroadcast> onFailure = failed -> {};
    private BroadcastGate gate = BroadcastGate.open();
    private Executor callbackExecutor;
    private Ticker ticker = Ticker.system();
    private Scheduler scheduler;
    private boolean synchronous;
    private BroadcastQueue queue;
    private boolean perChannelOrder = true;
    /** The drivers this builder created itself, closed if {@link #build()} fails. */
    private final List<BroadcastDriver> created = new ArrayList<>();

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
      BroadcastDriver driver = DriverRegistry.create(driverName, DriverSettings.of(settings));
      created.add(driver);
      connections.put(name, driver);
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

    /**
     * Whether events on one channel reach it in the order they were broadcast; true by default.
     * With {@code false} every event may go at once, as with the official clients' unordered
     * concurrency: faster on a slow network, but two events on one channel may arrive swapped.
     */
    public Builder perChannelOrder(boolean ordered) {
      this.perChannelOrder = ordered;
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

    /** Adds a listener; each one added sees every event, in the order they were added. */
    public Builder listener(BroadcastListener listener) {
      listeners.add(Objects.requireNonNull(listener, "listener"));
      return this;
    }

    /**
     * Runs the listeners and the failure handler on {@code executor} instead of the dispatcher's
     * threads: for handlers that block, such as a database save. The broadcaster never shuts it down.
     */
    public Builder callbackExecutor(Executor executor) {
      this.callbackExecutor = Objects.requireNonNull(executor, "executor");
      return this;
    }

    /** The clock of retries, timeouts and latencies; {@link Ticker#system()} by default. For tests. */
    public Builder ticker(Ticker ticker) {
      this.ticker = Objects.requireNonNull(ticker, "ticker");
      return this;
    }

    /**
     * Runs back-off, attempt timeouts and the close deadline; by default a daemon thread the
     * broadcaster owns. Give it with the matching {@link #ticker} to move time by hand in tests.
     */
    public Builder scheduler(Scheduler scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
      return this;
    }

    /**
     * Receives every event that will not be delivered, once: refused at intake, failed after its
     * last attempt, or left when close timed out. Laravel's {@code failed()}. It runs on the
     * dispatcher's threads (never a driver's I/O thread), or on {@link #callbackExecutor}; a
     * handler that throws is logged and changes nothing.
     */
    public Builder onFailure(Consumer<FailedBroadcast> handler) {
      this.onFailure = Objects.requireNonNull(handler, "handler");
      return this;
    }

    /**
     * When broadcasts enter the queue: at once unless {@code gate} defers them, for example until
     * a transaction commits. See {@link BroadcastGate} for the future a deferred broadcast returns.
     */
    public Builder gate(BroadcastGate gate) {
      this.gate = Objects.requireNonNull(gate, "gate");
      return this;
    }

    /**
     * Keeps queued events in {@code queue}, a durable queue that outlives this process, instead of
     * memory alone; its workers deliver them through this broadcaster's connections. The
     * broadcaster closes it on close. {@code BROADCAST_QUEUE=redis} in {@link #fromEnvironment()}.
     */
    public Builder queue(BroadcastQueue queue) {
      Objects.requireNonNull(queue, "queue");
      if (this.queue != null) {
        throw new IllegalStateException("queue was already set to " + this.queue);
      }
      this.queue = queue;
      return this;
    }

    /** Sends every event on the caller's thread, as if it were {@link ShouldBroadcastNow}: for tests and scripts. */
    public Builder synchronous() {
      this.synchronous = true;
      return this;
    }

    /**
     * The broadcaster. When this throws, the drivers that {@link #connection(String, String, Map)}
     * created are closed (a redis client disconnects, an embedded server lets go of its port).
     */
    public Broadcaster build() {
      try {
        return buildChecked();
      } catch (RuntimeException | Error e) {
        for (BroadcastDriver driver : created) {
          try {
            driver.close();
          } catch (Exception closing) {
            e.addSuppressed(closing);
          }
        }
        if (queue != null) {
          try {
            queue.close();
          } catch (RuntimeException closing) {
            e.addSuppressed(closing);
          }
        }
        throw e;
      }
    }

    private static void closeQuietly(BroadcastDriver driver) {
      try {
        driver.close();
      } catch (Exception e) {
        log.debug("Closing a driver after a failed configuration failed", e);
      }
    }

    private Broadcaster buildChecked() {
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
      connections.forEach(Builder::checkBound);
      return new Broadcaster(this);
    }

    /** A driver's bound on unanswered messages below 1 would let nothing go: a driver bug, refused here. */
    private static void checkBound(String connection, BroadcastDriver driver) {
      int bound = driver.maxUnanswered();
      if (bound < 1) {
        throw new IllegalStateException("connection '" + connection + "': " + driver.getClass().getName()
            + ".maxUnanswered() returned " + bound + ", but it must be at least 1 (Integer.MAX_VALUE when the "
            + "driver has no bound): a bug in the driver");
      }
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
