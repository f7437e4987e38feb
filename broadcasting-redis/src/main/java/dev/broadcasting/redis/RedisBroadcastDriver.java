package dev.broadcasting.redis;

import dev.broadcasting.BroadcastException;
import dev.broadcasting.redis.internal.RedisAddress;
import dev.broadcasting.redis.internal.RedisConnector;
import dev.broadcasting.redis.internal.RedisConnector.Open;
import dev.broadcasting.redis.internal.OrderFence;
import dev.broadcasting.redis.internal.Pipeline;
import dev.broadcasting.redis.internal.PublishHeads;
import dev.broadcasting.redis.internal.PublishSocket;
import dev.broadcasting.redis.internal.RespCommands;
import dev.broadcasting.redis.internal.RedisDriverProvider;
import dev.broadcasting.redis.internal.RedisFailures;
import dev.broadcasting.redis.internal.RedisMessageFormat;
import dev.broadcasting.resp.internal.RespEndpoint;
import dev.broadcasting.resp.internal.RespWriter;
import dev.broadcasting.spi.BroadcastDriver;
import dev.broadcasting.spi.BroadcastMessage;
import dev.broadcasting.spi.ChannelAuthSigner;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.SslOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The {@code redis} driver: publishes events to Redis pub/sub exactly as Laravel's
 * RedisBroadcaster does, so laravel-echo-server and any relay written for Laravel read them
 * unchanged. Each message is {@code {"event":..,"data":..,"socket":..}} on the channel
 * {@code <prefix><channel name>}; an event on several channels, or a batch of events
 * ({@code broadcastAll}), goes out as one script call: one round trip, run by Redis all at once.
 * All events share one connection, opened again when it is lost. For a server or a Sentinel-managed
 * master that is a socket of the driver's own, pipelined, with one thread reading the answers
 * ({@link Builder#publishSocket}); for a cluster, or a lettuce client the application gives, it is
 * lettuce's.
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
  /**
   * Publishes a batch with the command ARGV[1] (publish or spublish): then, for each message, the
   * number of its channels, its body and its channels. Redis runs a script whole, before it
   * serves anything else, and sends nothing to subscribers until it returns; so a batch is one round
   * trip and is delivered whole or not at all.
   */
  static final String PUBLISH_BATCH = "local command, receivers, i = ARGV[1], 0, 2\n"
      + "while i <= #ARGV do\n"
      + "  local body, last = ARGV[i + 1], i + 1 + tonumber(ARGV[i])\n"
      + "  for k = i + 2, last do receivers = receivers + redis.call(command, ARGV[k], body) end\n"
      + "  i = last + 1\n"
      + "end\n"
      + "return receivers";
  private static final byte[] PUBLISH = "publish".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] SPUBLISH = "spublish".getBytes(StandardCharsets.US_ASCII);
  private static final byte[][] NO_KEYS = new byte[0][];
  private static final byte[] EVAL = "EVAL".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] SCRIPT = PUBLISH_BATCH.getBytes(StandardCharsets.UTF_8);
  private static final byte[] ZERO = {'0'};
  /** Commands the publish socket lets wait for their answer; beyond, a publish fails as retryable. */
  private static final int MAX_UNANSWERED = 8_192;
  /**
   * Lettuce's own per-command timer is off on the clients the driver creates: it scheduled and
   * cancelled a task on the event loop for every command (a tenth of the sending and event-loop
   * threads' time), while every publish is already bounded by the command timeout here, one timer
   * per flush ({@link Pipeline}).
   */
  private static final TimeoutOptions NO_COMMAND_TIMER = TimeoutOptions.builder().timeoutCommands(false).build();
  /** Commands written with one flush when core coalesces events. */
  private static final int MAX_PIPELINE = 128;

  /** Null when the publishes go on {@link #socket}. */
  private final RedisConnector connector;
  /** Null when the publishes go through lettuce. */
  private final PublishSocket socket;
  /** The socket's {@code PUBLISH} heads per channel; null through lettuce. */
  private final PublishHeads heads;
  private final RedisFailures failures;
  private final OrderFence fence;
  private final String address;
  private final String prefix;
  private final boolean sharded;
  private final boolean cluster;
  private final Duration commandTimeout;

  private RedisBroadcastDriver(RedisConnector connector, String address, Builder builder) {
    this.connector = connector;
    this.address = address;
    this.prefix = builder.prefix;
    this.sharded = builder.sharded;
    this.cluster = builder.clusterClient != null || builder.clusterSeeds != null;
    this.commandTimeout = builder.commandTimeout;
    this.failures = new RedisFailures(address, commandTimeout);
    this.fence = new OrderFence(address, System::nanoTime);
    this.socket = connector != null ? null : new PublishSocket(PublishSocket.to(new RespEndpoint(builder.uri,
        builder.sslOptions, commandTimeout, RedisDriverProvider.TRUST.refusedAdvice()), !builder.uri.getSentinels().isEmpty()), failures, fence, commandTimeout,
        MAX_UNANSWERED, System::nanoTime, PublishSocket.THREAD_PER_ATTEMPT);
    this.heads = socket == null ? null : new PublishHeads(prefix, sharded);
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public CompletableFuture<Void> publish(BroadcastMessage message) {
    Objects.requireNonNull(message, "message");
    return publishBatch(List.of(message)).get(0);
  }

  /**
   * Publishes the batch with one script that Redis runs atomically: subscribers get every message
   * or none, in the order given, and a retry after a failure cannot repeat part of the batch. With
   * {@link Builder#shardedPublish} on a cluster, each slot's channels are their own script on the
   * node that owns the slot: atomic per slot, not across slots.
   */
  @Override
  public CompletableFuture<Void> publishAll(List<BroadcastMessage> messages) {
    Objects.requireNonNull(messages, "messages");
    if (messages.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    List<BroadcastMessage> batch = List.copyOf(messages);
    if (socket != null) {
      List<Encoded> encoded = new ArrayList<>(batch.size());
      for (BroadcastMessage message : batch) {
        encoded.add(encode(message));
      }
      return socket.send(List.of(batch), (commands, i) -> eval(commands, encoded)).get(0);
    }
    long attempt = fence.next();
    for (BroadcastMessage message : batch) {
      BroadcastException refused = fence.admit(message, attempt);
      if (refused != null) {
        batch.forEach(m -> fence.failed(m, attempt)); // the batch goes whole: all of it waits for the retry
        return CompletableFuture.failedFuture(refused);
      }
    }
    return execute(batch, attempt);
  }

  /**
   * True for a server or a Sentinel-managed master: one connection, and Redis runs its commands
   * in order, so core may send a channel's next events before the previous one is answered. A
   * publish that fails (refused while lettuce reconnects, cut off, timed out, cancelled) fences
   * its channels ({@link OrderFence}) until core sends it again, so a later event never overtakes
   * its retry. False for a cluster: lettuce follows a MOVED redirection on its own, by another
   * connection, and that path is not proven to keep the order.
   */
  @Override
  public boolean keepsOrder() {
    return !cluster;
  }

  @Override
  public int maxBatch() {
    return MAX_PIPELINE;
  }

  /**
   * On the publish socket, its bound on commands waiting for Redis's answer: core stops sending
   * there instead of having the excess refused, fenced and retried (200 busy channels with core's
   * window per channel would pass it). Through lettuce, no bound is declared: lettuce queues
   * without a limit of its own here, as before.
   */
  @Override
  public int maxUnanswered() {
    return socket != null ? MAX_UNANSWERED : Integer.MAX_VALUE;
  }

  /**
   * Independent events that core coalesced: plain pipelined {@code PUBLISH} commands (a script for
   * an event on several channels), written with one flush, each with its own answer. Not one
   * script for all: they are unrelated events, so one failing must not take the others with it,
   * and their order on a channel already comes from the connection; a {@code PUBLISH} is also
   * cheaper for Redis than a script call. Only a sharded event on several channels of a cluster
   * goes apart, as lettuce must route each slot's script to its node.
   */
  @Override
  public List<CompletableFuture<Void>> publishBatch(List<BroadcastMessage> messages) {
    Objects.requireNonNull(messages, "messages");
    if (socket != null) {
      return publishOnSocket(messages);
    }
    List<CompletableFuture<Void>> results = new ArrayList<>(messages.size());
    Open open;
    try {
      open = connected();
    } catch (BroadcastException e) {
      for (BroadcastMessage message : messages) {
        results.add(failed(e, List.of(message), fence.next()));
      }
      return results;
    }
    Pipeline pipeline = new Pipeline(failures, fence, messages.size());
    for (BroadcastMessage message : messages) {
      long attempt = fence.next();
      BroadcastException refused = fence.admit(message, attempt);
      if (refused != null) {
        results.add(CompletableFuture.failedFuture(refused));
        continue;
      }
      byte[] body = RedisMessageFormat.body(message);
      byte[][] channels = RedisMessageFormat.channels(prefix, message.channels());
      if (channels.length == 1) {
        results.add(pipeline.add(sharded ? CommandType.SPUBLISH : CommandType.PUBLISH,
            new CommandArgs<>(ByteArrayCodec.INSTANCE).addKey(channels[0]).addValue(body), message, attempt));
      } else if (!(sharded && cluster)) {
        results.add(pipeline.add(CommandType.EVAL, new CommandArgs<>(ByteArrayCodec.INSTANCE).add(PUBLISH_BATCH).add(0)
            .addValues(scriptArgs(sharded ? SPUBLISH : PUBLISH, List.of(new Encoded(body, channels)))), message, attempt));
      } else {
        // what came before it goes first, so the connection keeps the order
        pipeline.send(open.connection(), commandTimeout);
        pipeline = new Pipeline(failures, fence, messages.size());
        List<RedisFuture<?>> commands = new ArrayList<>(1);
        try {
          send(open.commands(), List.of(new Encoded(body, channels)), commands);
          results.add(bounded(commands.get(0).toCompletableFuture(), commands, List.of(message), attempt));
        } catch (RuntimeException e) {
          results.add(failed(e, List.of(message), attempt));
        }
      }
    }
    pipeline.send(open.connection(), commandTimeout);
    return results;
  }

  /**
   * {@link #publishBatch} on the driver's own socket: the same commands, formatted straight into
   * the batch that goes with one write.
   */
  private List<CompletableFuture<Void>> publishOnSocket(List<BroadcastMessage> messages) {
    List<List<BroadcastMessage>> groups = new ArrayList<>(messages.size());
    for (BroadcastMessage message : messages) {
      groups.add(List.of(message));
    }
    return socket.send(groups, (batch, i) -> {
      BroadcastMessage message = messages.get(i);
      if (message.channels().size() == 1) {
        heads.append(batch, message);
      } else {
        eval(batch, List.of(encode(message)));
      }
    });
  }

  /** Appends the script call that publishes {@code batch} at once. */
  private void eval(RespWriter commands, List<Encoded> batch) {
    byte[][] args = scriptArgs(sharded ? SPUBLISH : PUBLISH, batch);
    byte[][] command = new byte[args.length + 3][];
    command[0] = EVAL;
    command[1] = SCRIPT;
    command[2] = ZERO;
    System.arraycopy(args, 0, command, 3, args.length);
    commands.command(command);
  }

  private CompletableFuture<Void> execute(List<BroadcastMessage> messages, long attempt) {
    List<Encoded> batch = new ArrayList<>(messages.size());
    for (BroadcastMessage message : messages) {
      batch.add(encode(message));
    }
    List<RedisFuture<?>> commands = new ArrayList<>(1);
    try {
      send(connected().commands(), batch, commands);
    } catch (RuntimeException e) {
      return failed(e, messages, attempt);
    }
    CompletableFuture<?> all = commands.size() == 1 ? commands.get(0).toCompletableFuture()
        : CompletableFuture.allOf(commands.stream().map(RedisFuture::toCompletableFuture)
            .toArray(CompletableFuture[]::new));
    return bounded(all, commands, messages, attempt);
  }

  /**
   * The open connection. While it is being opened (lazily, or again after a failed attempt) the
   * caller waits for it, up to the command timeout, rather than queue its commands behind the
   * connect: commands queued that way would start in no particular order, and core pipelines on
   * the promise that they start in the order they were given.
   */
  private Open connected() {
    CompletableFuture<Open> open = connector.open();
    try {
      return open.isDone() ? open.join() : open.get(commandTimeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw failures.map(e);
    } catch (ExecutionException | CompletionException | TimeoutException e) {
      throw failures.map(e instanceof TimeoutException ? e : e.getCause());
    }
  }

  /** A publish that failed before it was sent: its channels are fenced when core may retry it. */
  private CompletableFuture<Void> failed(Throwable error, List<BroadcastMessage> messages, long attempt) {
    BroadcastException mapped = failures.map(error);
    if (mapped.isRetryable()) {
      messages.forEach(m -> fence.failed(m, attempt));
    }
    return CompletableFuture.failedFuture(mapped);
  }

  /**
   * The answer to {@code done}, failing as retryable after the command timeout. On that timeout,
   * and when core cancels the returned future, the commands are cancelled: a command lettuce still
   * holds (written, or buffered while reconnecting) must not go out after core has given up on it
   * and retried, which would publish the event twice. A failure core may retry fences the
   * messages' channels at once, on the thread that reports it, before core hears of it.
   */
  private CompletableFuture<Void> bounded(CompletableFuture<?> done, List<? extends Future<?>> commands,
      List<BroadcastMessage> messages, long attempt) {
    CompletableFuture<Void> result = new CompletableFuture<>();
    done.orTimeout(commandTimeout.toMillis(), TimeUnit.MILLISECONDS).whenComplete((ok, error) -> {
      if (error == null) {
        messages.forEach(fence::delivered);
        result.complete(null);
        return;
      }
      if (unwrap(error) instanceof TimeoutException) {
        commands.forEach(c -> c.cancel(false));
      }
      BroadcastException mapped = failures.map(error);
      if (mapped.isRetryable()) {
        messages.forEach(m -> fence.failed(m, attempt));
      }
      result.completeExceptionally(mapped);
    });
    result.whenComplete((ok, error) -> {
      if (result.isCancelled()) {
        messages.forEach(m -> fence.failed(m, attempt));
        commands.forEach(c -> c.cancel(false));
      }
    });
    return result;
  }

  private static Throwable unwrap(Throwable error) {
    return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
  }

  /** One message: its body and the Redis channel names it goes to. */
  private record Encoded(byte[] body, byte[][] channels) {}

  private Encoded encode(BroadcastMessage message) {
    return new Encoded(RedisMessageFormat.body(message), RedisMessageFormat.channels(prefix, message.channels()));
  }

  private void send(RedisClusterAsyncCommands<byte[], byte[]> redis, List<Encoded> batch, List<RedisFuture<?>> commands) {
    if (batch.size() == 1 && batch.get(0).channels.length == 1) {
      Encoded only = batch.get(0);
      commands.add(sharded ? redis.spublish(only.channels[0], only.body) : redis.publish(only.channels[0], only.body));
    } else if (sharded && cluster) {
      // sharded channels live on the node that owns their slot, and a script may only touch one
      // slot: one script per slot, routed by its channels given as keys, written without waiting
      Map<Integer, List<Encoded>> bySlot = new LinkedHashMap<>();
      for (Encoded message : batch) {
        for (byte[] channel : message.channels) {
          bySlot.computeIfAbsent(SlotHash.getSlot(channel), slot -> new ArrayList<>())
              .add(new Encoded(message.body, new byte[][] {channel}));
        }
      }
      for (List<Encoded> slot : bySlot.values()) {
        byte[][] keys = slot.stream().map(m -> m.channels[0]).toArray(byte[][]::new);
        commands.add(redis.<Long>eval(PUBLISH_BATCH, ScriptOutputType.INTEGER, keys, scriptArgs(SPUBLISH, slot)));
      }
    } else {
      commands.add(redis.<Long>eval(PUBLISH_BATCH, ScriptOutputType.INTEGER, NO_KEYS,
          scriptArgs(sharded ? SPUBLISH : PUBLISH, batch)));
    }
  }

  /** ARGV of {@link #PUBLISH_BATCH}: the command, then each message's channel count, body and channels. */
  private static byte[][] scriptArgs(byte[] command, List<Encoded> batch) {
    int size = 1;
    for (Encoded message : batch) {
      size += 2 + message.channels.length;
    }
    byte[][] args = new byte[size][];
    args[0] = command;
    int i = 1;
    for (Encoded message : batch) {
      args[i++] = Integer.toString(message.channels.length).getBytes(StandardCharsets.US_ASCII);
      args[i++] = message.body;
      for (byte[] channel : message.channels) {
        args[i++] = channel;
      }
    }
    return args;
  }

  /** Answers as laravel-echo-server expects: {@code true}, or the presence member as channel_data. */
  @Override
  public ChannelAuthSigner authSigner() {
    return ChannelAuthSigner.PLAIN;
  }

  /** Closes the driver's connection, and the lettuce client only if the driver created it. */
  @Override
  public void close() {
    if (socket != null) {
      socket.close();
    } else {
      connector.close();
    }
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
    /** Null: the socket for {@link #uri}, lettuce otherwise. */
    private Boolean publishSocket;
    private SslOptions sslOptions;

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

    /**
     * Whether the publishes go on a socket of the driver's own, preformatted and pipelined, with one
     * thread reading the answers (true), or through lettuce (false). The default is the socket for
     * {@link #uri} (a server or a Sentinel-managed master, over TCP, TLS or a Unix socket): it costs
     * the JVM about half the CPU per event of lettuce's event loop (see the module's
     * RESP-PUBLISH.md). A cluster and an application's {@link #client} always go through lettuce.
     */
    public Builder publishSocket(boolean publishSocket) {
      this.publishSocket = publishSocket;
      return this;
    }

    /**
     * The TLS trust and key material for a {@code rediss://} URI: a private CA's certificate, a
     * client certificate. The URI's {@code verifyPeer} says what is checked, as lettuce does it:
     * NONE nothing, CA the chain, FULL (the default) the chain and the host name. By default the
     * JVM's trust store.
     */
    public Builder sslOptions(SslOptions sslOptions) {
      this.sslOptions = Objects.requireNonNull(sslOptions, "sslOptions");
      return this;
    }

    /** Builds the driver, connecting at once unless {@link #lazyConnect()} was called. */
    public RedisBroadcastDriver build() {
      if (source == null) {
        throw new IllegalStateException("No Redis to connect to: call uri(\"redis://localhost:6379\"), "
            + "cluster(seedUris...), client(redisClient, uri) or clusterClient(redisClusterClient)");
      }
      if (sslOptions != null && (client != null || clusterClient != null)) {
        throw new IllegalStateException("sslOptions(...) is for the connections the driver makes; give the application's "
            + "lettuce client its SslOptions in its ClientOptions instead (now " + source + ")");
      }
      if (publishSocket == null ? uri != null && client == null : publishSocket) {
        return withPublishSocket();
      }
      RedisConnector connector;
      String address;
      SslOptions tls = sslOptions != null ? sslOptions : SslOptions.create();
      if (clusterClient != null) {
        address = "the application's Redis Cluster client";
        connector = RedisConnector.cluster(clusterClient, false, address);
      } else if (clusterSeeds != null) {
        address = RedisAddress.describeCluster(clusterSeeds);
        RedisClusterClient owned = RedisClusterClient.create(clusterSeeds);
        // lettuce 7 follows failovers and resharding (adaptive topology refresh) by default
        owned.setOptions(ClusterClientOptions.builder()
            .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
            .timeoutOptions(NO_COMMAND_TIMER)
            .socketOptions(SocketOptions.builder().connectTimeout(commandTimeout).build())
            .sslOptions(tls)
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
            .timeoutOptions(NO_COMMAND_TIMER)
            .socketOptions(SocketOptions.builder().connectTimeout(commandTimeout).build())
            .sslOptions(tls)
            .build());
        connector = RedisConnector.standalone(owned, uri, true, address);
      }
      if (!lazy) {
        connector.connect(commandTimeout);
      }
      return new RedisBroadcastDriver(connector, address, this);
    }

    private RedisBroadcastDriver withPublishSocket() {
      if (uri == null || client != null) {
        throw new IllegalStateException("publishSocket(true) works with uri(...) only, not with " + source
            + ": a cluster and an application's lettuce client publish through lettuce; leave publishSocket unset");
      }
      RedisBroadcastDriver driver = new RedisBroadcastDriver(null, RedisAddress.describe(uri), this);
      if (!lazy) {
        try {
          driver.socket.connect();
        } catch (BroadcastException e) {
          driver.close();
          throw RedisConnector.cannotStart(e);
        }
      }
      return driver;
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
