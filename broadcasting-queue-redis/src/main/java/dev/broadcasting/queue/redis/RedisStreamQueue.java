package dev.broadcasting.queue.redis;

import dev.broadcasting.BroadcastException;
import dev.broadcasting.QueueStats;
import dev.broadcasting.RetryPolicy;
import dev.broadcasting.Scheduler;
import dev.broadcasting.queue.redis.internal.ClientSettings;
import dev.broadcasting.queue.redis.internal.DepthReports;
import dev.broadcasting.queue.redis.internal.Outcomes;
import dev.broadcasting.queue.redis.internal.QueueSettings;
import dev.broadcasting.queue.redis.internal.ReadConnection;
import dev.broadcasting.queue.redis.internal.Redis;
import dev.broadcasting.queue.redis.internal.RedisQueueProvider;
import dev.broadcasting.queue.redis.internal.Scripts;
import dev.broadcasting.queue.redis.internal.StreamEntry;
import dev.broadcasting.queue.redis.internal.StreamWorkers;
import dev.broadcasting.queue.redis.internal.StreamWriter;
import dev.broadcasting.queue.redis.internal.WriteConnection;
import dev.broadcasting.spi.BroadcastMessage;
import dev.broadcasting.spi.BroadcastQueue;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SslOptions;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.models.stream.PendingMessages;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Transports;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * A durable queue for broadcasts on Redis Streams: an accepted event is written to a stream before
 * {@code broadcast()} returns, so it outlives the process; workers in this process and in any
 * other take it through a consumer group, send it through the broadcaster's connections, and
 * acknowledge it only after the driver succeeded.
 *
 * <pre>{@code
 * RedisStreamQueue queue = RedisStreamQueue.builder().uri("redis://127.0.0.1:6379").build();
 * Broadcaster broadcaster = Broadcaster.builder().connection("pusher", "pusher", settings).queue(queue).build();
 * broadcaster.broadcast(new OrderShipped(42)); // returns once the event is in the stream
 * queue.listFailed(50).forEach(failed -> queue.retryFailed(failed.id()));
 * }</pre>
 *
 * <p>Events are spread over {@code partitions} streams by the hash of their first channel; each
 * partition has one worker at a time, so the events of a channel are sent in the order they were
 * broadcast. See the module's README for the guarantees and their limits.
 */
public final class RedisStreamQueue implements BroadcastQueue {
  private final QueueSettings settings;
  private final RedisClient client;
  private final StatefulRedisConnection<String, String> connection;
  private final RedisAsyncCommands<String, String> redis;
  private final Outcomes outcomes;
  private final StreamWriter writer;
  private final String address;
  private final Duration statsEvery;
  private final Consumer<QueueStats> onStats;
  private final Scheduler scheduler;
  private DepthReports<QueueStats> reports;
  /** The broadcaster's listeners, once it started this queue with some. */
  private volatile Consumer<QueueStats> listeners;
  private ScheduledExecutorService reportThread;
  private final RedisURI uri;
  private final SslOptions sslOptions;
  private final ClientResources resources;
  private ReadConnection reads;
  private StreamWorkers workers;
  private boolean closed;

  private RedisStreamQueue(Builder builder) {
    this.settings = new QueueSettings(builder.prefix, builder.partitions, builder.maxLength, builder.failedMaxLength,
        builder.leaseTtl, builder.claimIdle, builder.readCount, builder.readLinger, builder.maxInHand, builder.commandTimeout,
        builder.workers, builder.trackLimit);
    this.address = describe(builder.uri);
    this.uri = builder.uri;
    this.sslOptions = builder.sslOptions;
    this.writer = new StreamWriter(settings, new WriteConnection(builder.uri, builder.sslOptions, builder.commandTimeout));
    this.resources = DefaultClientResources.create();
    this.client = RedisClient.create(resources, builder.uri);
    // Every command of this connection may be sent again after a reconnect: each is one that does
    // no harm twice (a write twice is a duplicate, which at least once allows). Reads are not on it.
    client.setOptions(ClientSettings.options(builder.uri, builder.sslOptions, builder.commandTimeout).autoReconnect(true)
        .build());
    try {
      this.connection = client.connect();
    } catch (RuntimeException e) {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      resources.shutdown(0, 2, TimeUnit.SECONDS);
      throw new BroadcastException("Cannot connect the durable queue to Redis at " + address + ": " + e.getMessage()
          + ". " + RedisQueueProvider.TRUST.advice(e), e);
    }
    this.redis = connection.async();
    String id = System.getenv().getOrDefault("HOSTNAME", "host") + "-" + ProcessHandle.current().pid() + "-"
        + Integer.toHexString(ThreadLocalRandom.current().nextInt());
    this.outcomes = new Outcomes(id, settings, client::connectPubSub, redis);
    this.statsEvery = builder.statsEvery;
    this.onStats = builder.onStats;
    this.scheduler = builder.scheduler;
    if (onStats != null) {
      startReports();
    }
  }

  /** One report thread and one read of the partitions per interval, for the callback and the listeners. */
  private synchronized void startReports() {
    Scheduler timer = scheduler;
    if (timer == null) {
      reportThread = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "broadcasting-queue-stats");
        thread.setDaemon(true);
        return thread;
      });
      timer = (task, delay) -> reportThread.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
    }
    reports = new DepthReports<>(this::stats, statsEvery, timer, this::report);
    reports.start();
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * As {@link #start(Delivery)}, and the broadcaster's listeners get {@link QueueStats} every
   * {@code statsEvery} (5 s by default), after the {@link Builder#onStats} callback if there is one.
   */
  @Override
  public synchronized void start(Delivery delivery, Consumer<QueueStats> stats) {
    listeners = Objects.requireNonNull(stats, "stats");
    start(delivery);
    if (reports == null && !closed) {
      startReports();
    }
  }

  private void report(QueueStats stats) {
    Consumer<QueueStats> toListeners = listeners;
    try {
      if (onStats != null) {
        onStats.accept(stats);
      }
    } finally {
      if (toListeners != null) {
        toListeners.accept(stats);
      }
    }
  }

  @Override
  public synchronized void start(Delivery delivery) {
    Objects.requireNonNull(delivery, "delivery");
    if (!settings.workers() || workers != null) {
      return;
    }
    reads = new ReadConnection(resources, uri, sslOptions, settings.commandTimeout());
    workers = new StreamWorkers(settings, redis, reads, delivery, outcomes);
    workers.start();
  }

  @Override
  public CompletableFuture<Void> enqueue(String connectionName, List<BroadcastMessage> messages, RetryPolicy policy) {
    List<CompletableFuture<Void>> outcomesOf = new ArrayList<>(messages.size());
    List<StreamWriter.Write> writes = new ArrayList<>(messages.size());
    for (BroadcastMessage message : messages) {
      outcomesOf.add(outcomes.track(message.id()));
      writes.add(writer.write(StreamEntry.partition(message, settings.partitions()), message.id(),
          new StreamEntry(connectionName, message, policy, outcomes.producer()).encoded()));
    }
    List<String> refused = new ArrayList<>();
    for (int i = 0; i < writes.size(); i++) {
      String why = written(writes.get(i), messages.get(i));
      if (why != null) {
        outcomes.untrack(messages.get(i).id());
        refused.add(why);
      }
    }
    if (!refused.isEmpty()) {
      throw new BroadcastException(refused.get(0) + (messages.size() == 1 ? "" : " (" + (messages.size()
          - refused.size()) + " of the batch's " + messages.size() + " events were stored and will be delivered)"));
    }
    return outcomesOf.size() == 1 ? outcomesOf.get(0) : CompletableFuture.allOf(outcomesOf.toArray(CompletableFuture[]::new));
  }

  /** Null when stored; else why not. */
  private String written(StreamWriter.Write write, BroadcastMessage message) {
    try {
      if (!writer.stored(write)) {
        int partition = StreamEntry.partition(message, settings.partitions());
        return "the durable queue's partition " + partition + " holds " + settings.maxLength() + " undelivered events "
            + "(its maxLength): the workers are behind or none runs. Start workers, or raise maxLength "
            + "(BROADCAST_QUEUE_MAX_LENGTH)";
      }
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "the thread was interrupted while writing to the durable queue";
    } catch (TimeoutException e) {
      return "Redis at " + address + " did not confirm the write to the durable queue within "
          + settings.commandTimeout() + "; the event may or may not be stored";
    } catch (ExecutionException e) {
      return "the durable queue at " + address + " could not store the event: " + e.getCause().getMessage();
    }
  }

  @Override
  public void stop(Duration drainTimeout) {
    StreamWorkers running;
    synchronized (this) {
      running = workers;
    }
    if (running != null) {
      running.stop();
    }
  }

  /** Stops the workers, acknowledges what they settled, gives back the leases, disconnects. Idempotent. */
  @Override
  public void close() {
    StreamWorkers running;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      running = workers;
    }
    synchronized (this) {
      if (reports != null) {
        reports.close();
      }
      if (reportThread != null) {
        reportThread.shutdownNow();
      }
    }
    if (running != null) {
      running.stop();
      running.close();
      reads.close();
    }
    outcomes.close();
    writer.close();
    connection.close();
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    resources.shutdown(0, 2, TimeUnit.SECONDS);
  }

  /** The partitions whose lease this process holds now: for operators and tests. */
  public Set<Integer> ownedPartitions() {
    StreamWorkers running;
    synchronized (this) {
      running = workers;
    }
    return running == null ? Set.of() : running.partitions();
  }

  /** Depth, in hand, lag, failed and live workers, read from Redis now. */
  public QueueStats stats() {
    List<RedisFuture<Long>> lengths = new ArrayList<>();
    List<RedisFuture<PendingMessages>> pending = new ArrayList<>();
    List<RedisFuture<List<StreamMessage<String, String>>>> oldest = new ArrayList<>();
    for (int i = 0; i < settings.partitions(); i++) {
      lengths.add(redis.xlen(settings.stream(i)));
      pending.add(redis.xpending(settings.stream(i), settings.group()));
      oldest.add(redis.xrange(settings.stream(i), Range.unbounded(), Limit.from(1)));
    }
    long nowMs = System.currentTimeMillis();
    RedisFuture<Long> failed = redis.xlen(settings.failedStream());
    RedisFuture<Long> alive = redis.zcount(settings.workersKey(),
        Range.create(nowMs - 3 * settings.leaseTtl().toMillis(), Double.POSITIVE_INFINITY));
    long depth = 0;
    long inHand = 0;
    long oldestMs = nowMs;
    for (int i = 0; i < settings.partitions(); i++) {
      depth += await(lengths.get(i));
      inHand += pendingCount(pending.get(i));
      List<StreamMessage<String, String>> first = await(oldest.get(i));
      if (!first.isEmpty()) {
        String id = first.get(0).getId();
        oldestMs = Math.min(oldestMs, Long.parseLong(id.substring(0, id.indexOf('-'))));
      }
    }
    return new QueueStats(depth, inHand, Duration.ofMillis(Math.max(0, nowMs - oldestMs)), await(failed),
        await(alive));
  }

  private long pendingCount(RedisFuture<PendingMessages> pending) {
    try {
      return await(pending).getCount();
    } catch (BroadcastException noGroupYet) {
      return 0;
    }
  }

  /** The oldest {@code limit} failed events, oldest first: Laravel's {@code queue:failed}. */
  public List<FailedEvent> listFailed(int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1 but was " + limit);
    }
    List<FailedEvent> failed = new ArrayList<>();
    for (StreamMessage<String, String> entry : await(redis.xrange(settings.failedStream(), Range.unbounded(),
        Limit.from(limit)))) {
      Map<String, String> fields = entry.getBody();
      String reason = fields.get("reason");
      Instant failedAt = Instant.ofEpochMilli(Long.parseLong(fields.getOrDefault("failed_at", "0")));
      try {
        StreamEntry event = StreamEntry.parse(settings.failedStream(), entry.getId(), fields);
        List<String> channels = new ArrayList<>();
        event.message().channels().forEach(channel -> channels.add(channel.name()));
        failed.add(new FailedEvent(entry.getId(), event.message().id(), event.connection(), event.message().event(),
            channels, event.message().payload(), reason, failedAt));
      } catch (BroadcastException unreadable) {
        failed.add(new FailedEvent(entry.getId(), fields.get("id"), null, null, List.of(), null, reason, failedAt));
      }
    }
    return failed;
  }

  /**
   * Puts the failed event {@code failedId} back on its partition, with its message id, for the
   * workers to send again: Laravel's {@code queue:retry}. False when there is no such failed event.
   */
  public boolean retryFailed(String failedId) {
    List<StreamMessage<String, String>> found = await(redis.xrange(settings.failedStream(),
        Range.create(failedId, failedId)));
    if (found.isEmpty()) {
      return false;
    }
    StreamEntry entry = StreamEntry.parse(settings.failedStream(), failedId, found.get(0).getBody());
    List<String> args = new ArrayList<>(List.of(failedId));
    entry.fields().forEach((name, value) -> {
      args.add(name);
      args.add(value);
    });
    String stream = settings.stream(StreamEntry.partition(entry.message(), settings.partitions()));
    return await(Scripts.REQUEUE.<String>run(redis, ScriptOutputType.VALUE,
        new String[] {settings.failedStream(), stream}, args.toArray(String[]::new))) != null;
  }

  /** Retries every failed event, oldest first; returns how many went back. */
  public int retryAllFailed() {
    int retried = 0;
    List<FailedEvent> batch;
    do {
      batch = listFailed(100);
      for (FailedEvent failed : batch) {
        if (retryFailed(failed.id())) {
          retried++;
        }
      }
    } while (!batch.isEmpty());
    return retried;
  }

  /** Deletes the failed event {@code failedId}: Laravel's {@code queue:forget}. */
  public boolean forgetFailed(String failedId) {
    return await(redis.xdel(settings.failedStream(), failedId)) > 0;
  }

  /** Deletes every failed event: Laravel's {@code queue:flush}. Returns how many there were. */
  public long flushFailed() {
    long count = await(redis.xlen(settings.failedStream()));
    await(redis.del(settings.failedStream()));
    return count;
  }

  private <T> T await(java.util.concurrent.CompletionStage<T> command) {
    return Redis.await(command, settings);
  }

  private static String describe(RedisURI uri) {
    if (uri.getSocket() != null) {
      return "redis-socket://" + uri.getSocket() + (uri.getDatabase() != 0 ? "?database=" + uri.getDatabase() : "");
    }
    return (uri.isSsl() ? "rediss://" : "redis://") + uri.getHost() + ":" + uri.getPort()
        + (uri.getDatabase() != 0 ? "/" + uri.getDatabase() : "");
  }

  @Override
  public String toString() {
    return "RedisStreamQueue{" + address + ", prefix=" + settings.prefix() + ", partitions=" + settings.partitions()
        + ", workers=" + settings.workers() + "}";
  }

  /** Configures a {@link RedisStreamQueue}; each setter checks its value at once. */
  public static final class Builder {
    private RedisURI uri = RedisURI.create("127.0.0.1", 6379);
    private String prefix = "broadcasting:queue";
    private int partitions = 8;
    private long maxLength = 100_000;
    private long failedMaxLength = 100_000;
    private Duration leaseTtl = Duration.ofSeconds(10);
    private Duration claimIdle;
    private int readCount = 256;
    private Duration readLinger = Duration.ofMillis(2);
    private int maxInHand = 1_000;
    private Duration commandTimeout = Duration.ofSeconds(5);
    private SslOptions sslOptions = SslOptions.create();
    private boolean workers = true;
    private int trackLimit = 100_000;
    private Duration statsEvery = Duration.ofSeconds(5);
    private Consumer<QueueStats> onStats;
    private Scheduler scheduler;

    private Builder() {}

    /** The Redis server, e.g. {@code redis://:password@host:6379/0}; {@code redis://127.0.0.1:6379} by default. */
    public Builder uri(String uri) {
      Objects.requireNonNull(uri, "uri");
      try {
        this.uri = RedisURI.create(uri);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("uri is not a Redis URI (redis://host:port): " + e.getMessage(), e);
      }
      return this;
    }

    public Builder uri(RedisURI uri) {
      this.uri = Objects.requireNonNull(uri, "uri");
      return this;
    }

    /** The start of every key; {@code broadcasting:queue} by default. One queue per prefix. */
    public Builder prefix(String prefix) {
      Objects.requireNonNull(prefix, "prefix");
      if (prefix.isBlank()) {
        throw new IllegalArgumentException("prefix must not be blank");
      }
      this.prefix = prefix;
      return this;
    }

    /**
     * Streams the channels are spread over, each with one worker at a time; 8 by default. Every
     * producer and worker of a queue must agree on it, or a channel's order no longer holds.
     */
    public Builder partitions(int partitions) {
      if (partitions < 1 || partitions > 1024) {
        throw new IllegalArgumentException("partitions must be between 1 and 1024 but was " + partitions);
      }
      this.partitions = partitions;
      return this;
    }

    /** Undelivered events one partition holds at most; a broadcast beyond it is refused. 100,000 by default. */
    public Builder maxLength(long maxLength) {
      if (maxLength < 1) {
        throw new IllegalArgumentException("maxLength must be at least 1 but was " + maxLength);
      }
      this.maxLength = maxLength;
      return this;
    }

    /** About how many failed events are kept (MAXLEN ~), the oldest trimmed first; 100,000 by default. */
    public Builder failedMaxLength(long failedMaxLength) {
      if (failedMaxLength < 1) {
        throw new IllegalArgumentException("failedMaxLength must be at least 1 but was " + failedMaxLength);
      }
      this.failedMaxLength = failedMaxLength;
      return this;
    }

    /** How long a dead worker keeps its partitions; 10 s by default. Renewed every third of it. */
    public Builder leaseTtl(Duration leaseTtl) {
      this.leaseTtl = positive("leaseTtl", leaseTtl);
      return this;
    }

    /** How long an entry sits unacknowledged before a new owner claims it; half the lease time by default. */
    public Builder claimIdle(Duration claimIdle) {
      this.claimIdle = positive("claimIdle", claimIdle);
      return this;
    }

    /** Entries read at once; 256 by default. */
    public Builder readCount(int readCount) {
      if (readCount < 1) {
        throw new IllegalArgumentException("readCount must be at least 1 but was " + readCount);
      }
      this.readCount = readCount;
      return this;
    }

    /**
     * How long a worker waits after a read that found fewer entries than it asked for, before it
     * reads again; 2 ms by default, zero to read again at once. The wait lets entries gather, so
     * that a read, the dispatcher's batch and an acknowledgement each carry more of them, at the
     * cost of up to this much latency: measured in DurableQueueBenchmark, 2 ms took the thread
     * switches per event from about 5 to under 2.
     */
    public Builder readLinger(Duration readLinger) {
      Objects.requireNonNull(readLinger, "readLinger");
      if (readLinger.isNegative() || readLinger.compareTo(Duration.ofSeconds(1)) > 0) {
        throw new IllegalArgumentException("readLinger must be between 0 and 1s but was " + readLinger);
      }
      this.readLinger = readLinger;
      return this;
    }

    /** Entries this process's workers hold at once; 1,000 by default, below the broadcaster's queueCapacity. */
    public Builder maxInHand(int maxInHand) {
      if (maxInHand < 1) {
        throw new IllegalArgumentException("maxInHand must be at least 1 but was " + maxInHand);
      }
      this.maxInHand = maxInHand;
      return this;
    }

    /** How long one Redis command may take, the write in {@code broadcast()} included; 5 s by default. */
    public Builder commandTimeout(Duration commandTimeout) {
      this.commandTimeout = positive("commandTimeout", commandTimeout);
      return this;
    }

    /**
     * The TLS trust and key material for a {@code rediss://} URI, e.g.
     * {@code SslOptions.builder().truststore(file, password).build()}; the JVM's trust store by
     * default. Every connection of the queue uses it as the URI's {@code verifyPeer} says: NONE
     * trusts any certificate, CA checks the chain, FULL (the default) the chain and the host name.
     */
    public Builder sslOptions(SslOptions sslOptions) {
      this.sslOptions = Objects.requireNonNull(sslOptions, "sslOptions");
      return this;
    }

    /** Whether this process runs workers; true by default. False for a process that only broadcasts. */
    public Builder workers(boolean workers) {
      this.workers = workers;
      return this;
    }

    /** Outcomes this producer waits for at once; 100,000 by default. */
    public Builder trackLimit(int trackLimit) {
      if (trackLimit < 1) {
        throw new IllegalArgumentException("trackLimit must be at least 1 but was " + trackLimit);
      }
      this.trackLimit = trackLimit;
      return this;
    }

    /**
     * Calls {@code callback} with the queue's depth and lag, read from Redis, every {@code every}
     * and no more often, on a thread of the queue's own (or the {@link #scheduler}'s): for gauges
     * and alerts. A read that fails is logged and skipped. Off by default.
     */
    public Builder onStats(Duration every, Consumer<QueueStats> callback) {
      statsEvery(every);
      this.onStats = Objects.requireNonNull(callback, "callback");
      return this;
    }

    /**
     * How often the depth and lag are read for {@link #onStats} and for the broadcaster's
     * listeners ({@code BroadcastListener.onQueueStats}); 5 s by default, 100 ms at least. Without
     * a callback and without listeners nothing is read.
     */
    public Builder statsEvery(Duration every) {
      Duration interval = positive("every", every);
      if (interval.compareTo(Duration.ofMillis(100)) < 0) {
        throw new IllegalArgumentException("every must be at least 100ms (each report reads every partition) but "
            + "was " + every);
      }
      this.statsEvery = interval;
      return this;
    }

    /** Where the depth reports are timed; a thread of the queue's own by default. For tests. */
    public Builder scheduler(Scheduler scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
      return this;
    }

    public RedisStreamQueue build() {
      if (claimIdle == null) {
        claimIdle = leaseTtl.dividedBy(2);
      } else if (claimIdle.compareTo(leaseTtl) > 0) {
        throw new IllegalStateException("claimIdle (" + claimIdle + ") must not be longer than leaseTtl ("
            + leaseTtl + "): a new owner would wait for entries it may already claim");
      }
      if (uri.getSocket() != null && !Transports.NativeTransports.isDomainSocketSupported()) {
        throw new IllegalStateException("the Unix socket " + uri.getSocket() + " needs netty's native transport, "
            + "which lettuce uses for the queue's reads: add io.netty:netty-transport-native-epoll (Linux) or "
            + "netty-transport-native-kqueue (macOS) to the class path, or use a redis:// URI");
      }
      return new RedisStreamQueue(this);
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
