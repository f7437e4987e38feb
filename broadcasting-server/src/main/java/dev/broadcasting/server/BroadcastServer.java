package dev.broadcasting.server;

import dev.broadcasting.server.internal.AppCluster;
import dev.broadcasting.pusher.protocol.EncryptionMasterKey;
import dev.broadcasting.server.internal.AppHub;
import dev.broadcasting.server.internal.DeadlineCounts;
import dev.broadcasting.server.internal.RunningServers;
import dev.broadcasting.server.internal.ServerDriver;
import dev.broadcasting.server.internal.ServerInitializer;
import dev.broadcasting.server.internal.ServerSettings;
import dev.broadcasting.server.internal.WebhookClock;
import dev.broadcasting.server.internal.Webhooks;
import dev.broadcasting.server.internal.dashboard.Dashboard;
import dev.broadcasting.server.spi.Backplane;
import dev.broadcasting.spi.BroadcastDriver;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Pusher-protocol (version 7) WebSocket server with the Pusher HTTP API, running inside your
 * application. Unmodified pusher-js and Laravel Echo clients connect to {@code /app/{key}}; any
 * Pusher server SDK publishes to {@code /apps/{id}/events}; code in the same JVM publishes through
 * {@link #driver(String)} without HTTP.
 *
 * <pre>{@code
 * BroadcastServer server = BroadcastServer.builder()
 *     .port(6001)
 *     .app(App.builder("1", "app-key", "app-secret").build())
 *     .build()
 *     .start();
 * Broadcaster broadcaster = Broadcaster.builder().connection("server", server.driver("1")).build();
 * }</pre>
 *
 * <p>One port serves WebSockets, the HTTP API and {@code GET /health}. {@link #close()} closes every
 * connection and stops the threads the server started.
 */
public final class BroadcastServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(BroadcastServer.class);

  private final String host;
  private final int requestedPort;
  private final ServerSettings settings;
  private final SslContext ssl;
  private final Map<String, AppHub> hubsById = new LinkedHashMap<>();
  private final Webhooks webhooks;
  private final Backplane backplane;
  private final DeadlineCounts deadlineCounts = new DeadlineCounts();
  /** Null unless the builder turned it on. */
  private final Dashboard dashboard;
  private EventLoopGroup bossGroup;
  private EventLoopGroup workerGroup;
  private Channel serverChannel;
  private int port = -1;
  private boolean closed;

  private BroadcastServer(Builder b) {
    this.host = b.host;
    this.requestedPort = b.port;
    this.ssl = b.ssl;
    this.settings = new ServerSettings(b.maxMessageSize, b.maxRequestSize, b.activityTimeout,
        b.pongTimeout, b.maxOutboundBytes, b.firstBytesTimeout, b.requestHeadersTimeout, b.requestBodyTimeout,
        b.keepAliveTimeout, b.maxOpeningPerAddress, Set.copyOf(b.trustedProxies));
    this.webhooks = new Webhooks(b.webhookClock, b.webhookIdleTimeout);
    this.backplane = b.backplane;
    for (App app : b.apps.values()) {
      hubsById.put(app.id(), new AppHub(app, settings, webhooks));
    }
    this.dashboard = b.dashboard ? new Dashboard(hubsById, this::stats, b.dashboardUser,
        b.dashboardPassword, b.ssl != null) : null;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Binds the port and starts accepting connections; returns when the port is bound.
   *
   * @throws IllegalStateException when the port cannot be bound, or the server was started before
   */
  public synchronized BroadcastServer start() {
    if (serverChannel != null || closed) {
      throw new IllegalStateException("BroadcastServer was already started" + (closed ? " and closed" : "")
          + "; build a new one");
    }
    bossGroup = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    workerGroup = new MultiThreadIoEventLoopGroup(NioIoHandler.newFactory());
    // before the port opens, so that no socket joins as if on a single node
    if (backplane != null) {
      hubsById.values().forEach(hub -> AppCluster.attach(hub, backplane));
    }
    Map<String, AppHub> hubsByKey = new LinkedHashMap<>();
    hubsById.values().forEach(hub -> hubsByKey.put(hub.app().key(), hub));
    ServerBootstrap bootstrap = new ServerBootstrap()
        .group(bossGroup, workerGroup)
        .channel(NioServerSocketChannel.class)
        .option(ChannelOption.SO_BACKLOG, 4096)
        .childOption(ChannelOption.TCP_NODELAY, true)
        // a peer that vanished without a FIN is found by the kernel, whatever stage the connection is in
        .childOption(ChannelOption.SO_KEEPALIVE, true)
        .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK,
            new WriteBufferWaterMark(Math.min(32 * 1024, settings.maxOutboundBytes() / 2), settings.maxOutboundBytes()))
        .childHandler(new ServerInitializer(ssl, settings, Map.copyOf(hubsById), Map.copyOf(hubsByKey),
            deadlineCounts, dashboard));
    try {
      serverChannel = bootstrap.bind(host, requestedPort).sync().channel();
    } catch (Exception e) {
      shutDownGroups();
      throw new IllegalStateException("BroadcastServer could not bind " + host + ":" + requestedPort
          + " (" + e.getMessage() + "); choose another port or stop what is using it", e);
    }
    port = ((InetSocketAddress) serverChannel.localAddress()).getPort();
    if (dashboard != null) {
      dashboard.start();
    }
    hubsById.values().forEach(RunningServers::started);
    log.info("Broadcast server listening on {}://{}:{} for apps {}", ssl == null ? "ws" : "wss", host, port,
        hubsById.values().stream().map(AppHub::app).toList());
    return this;
  }

  /** The port the server listens on: the one chosen by the system when built with port 0. */
  public int port() {
    if (port < 0) {
      throw new IllegalStateException("BroadcastServer is not started; call start() first");
    }
    return port;
  }

  public boolean isTls() {
    return ssl != null;
  }

  public Collection<App> apps() {
    return hubsById.values().stream().map(AppHub::app).toList();
  }

  /** Open WebSocket connections of the app with {@code appId}. */
  public int connectionCount(String appId) {
    return hub(appId).connectionCount();
  }

  /** Sockets subscribed to {@code channel} of the app with {@code appId}, 0 when none. */
  public int subscriptionCount(String appId, String channel) {
    int[] counts = hub(appId).channelCounts(channel);
    return counts == null ? 0 : counts[0];
  }

  /** True from {@link #start()} until {@link #close()}. */
  public synchronized boolean isRunning() {
    return serverChannel != null && !closed;
  }

  /** The figures of the app with {@code appId} now: connections, channels, messages, refusals, webhooks. */
  public AppStats stats(String appId) {
    AppHub hub = hub(appId);
    var counters = hub.counters();
    return new AppStats(appId, hub.connectionCount(), hub.channelCount(), counters.messagesIn(),
        counters.messagesOut(), counters.clientEvents(), counters.refusals(), hub.webhookBacklog(),
        webhookStats(appId));
  }

  /** Connections closed at an opening or keep-alive deadline, and refused per address, since the start. */
  public ClosedConnections closedConnections() {
    return new ClosedConnections(deadlineCounts.firstBytes(), deadlineCounts.requestHeaders(),
        deadlineCounts.requestBody(), deadlineCounts.keepAliveIdle(), deadlineCounts.refusedOpeningPerAddress());
  }

  /** The webhooks of the app with {@code appId}: events sent and dropped, connections open. */
  public WebhookStats webhookStats(String appId) {
    long[] counts = hub(appId).webhookCounts();
    return new WebhookStats(counts[0], counts[1], (int) counts[2]);
  }

  /**
   * A driver that publishes into this server's app {@code appId} directly, without HTTP, and signs
   * channel authorization answers with that app's key and secret.
   */
  public BroadcastDriver driver(String appId) {
    return new ServerDriver(hub(appId), null, null);
  }

  /**
   * As {@link #driver(String)}, for an app with {@code private-encrypted-} channels: the driver's
   * auth answers then carry each channel's {@code shared_secret}, derived from the 32-byte
   * {@code encryptionMasterKey} that your server SDK encrypts with. Closing the driver leaves the
   * server running.
   */
  public BroadcastDriver driver(String appId, byte[] encryptionMasterKey) {
    if (encryptionMasterKey != null) {
      EncryptionMasterKey.check(encryptionMasterKey);
    }
    return new ServerDriver(hub(appId), null, encryptionMasterKey);
  }

  /**
   * Stops accepting connections, closes every open one with 4200 (pusher-js then reconnects, to
   * this server once it is back or to another), and stops the server's threads. Webhooks already
   * queued are sent at once and get up to two seconds to be delivered. Idempotent.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    hubsById.values().forEach(RunningServers::stopped);
    if (dashboard != null) {
      dashboard.close();
    }
    if (serverChannel != null) {
      serverChannel.close().syncUninterruptibly();
      hubsById.values().forEach(hub -> hub.closeAll(2000));
    }
    if (backplane != null) {
      hubsById.values().stream().map(AppHub::cluster).filter(Objects::nonNull).forEach(AppCluster::close);
      backplane.close();
    }
    shutDownGroups();
    webhooks.close();
    if (serverChannel != null) {
      log.info("Broadcast server on port {} stopped", port);
    }
  }

  AppHub hub(String appId) {
    AppHub hub = hubsById.get(appId);
    if (hub == null) {
      throw new IllegalArgumentException("No app with id \"" + appId + "\" on this server; apps: " + hubsById.keySet());
    }
    return hub;
  }

  private void shutDownGroups() {
    List<io.netty.util.concurrent.Future<?>> stopping = new ArrayList<>();
    if (bossGroup != null) {
      stopping.add(bossGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS));
    }
    if (workerGroup != null) {
      stopping.add(workerGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS));
    }
    stopping.forEach(io.netty.util.concurrent.Future::syncUninterruptibly);
  }

  @Override
  public String toString() {
    return "BroadcastServer{" + host + ":" + (port < 0 ? requestedPort : port) + ", apps=" + hubsById.keySet() + "}";
  }

  /** Builds a {@link BroadcastServer}; every setter checks its value at once. */
  public static final class Builder {
    private static final java.util.regex.Pattern IP_LITERAL = java.util.regex.Pattern.compile("[0-9a-fA-F:.]+");
    private String host = "0.0.0.0";
    private int port = 6001;
    private final Map<String, App> apps = new LinkedHashMap<>();
    private int maxMessageSize = 64 * 1024;
    private int maxRequestSize = 1024 * 1024;
    private Duration activityTimeout = Duration.ofSeconds(120);
    private Duration pongTimeout = Duration.ofSeconds(30);
    private int maxOutboundBytes = 1024 * 1024;
    private Duration firstBytesTimeout = Duration.ofSeconds(5);
    private Duration requestHeadersTimeout = Duration.ofSeconds(10);
    private Duration requestBodyTimeout = Duration.ofSeconds(10);
    private Duration keepAliveTimeout = Duration.ofSeconds(30);
    private int maxOpeningPerAddress = 64;
    private final Set<InetAddress> trustedProxies = new HashSet<>();
    private WebhookClock webhookClock;
    private Duration webhookIdleTimeout = Duration.ofSeconds(30);
    private SslContext ssl;
    private boolean dashboard;
    private String dashboardUser;
    private String dashboardPassword;
    private Backplane backplane;

    private Builder() {}

    /**
     * Makes this server one node of a cluster: every node built with a backplane on the same
     * shared store serves the same apps as one server (see {@link Backplane}). The server closes it.
     */
    public Builder backplane(Backplane backplane) {
      Objects.requireNonNull(backplane, "backplane");
      if (this.backplane != null) {
        throw new IllegalStateException("backplane was already set to " + this.backplane);
      }
      this.backplane = backplane;
      return this;
    }

    /** The address to bind (default {@code 0.0.0.0}); {@code 127.0.0.1} serves this machine only. */
    public Builder host(String host) {
      if (host == null || host.isBlank()) {
        throw new IllegalArgumentException("host is blank; use 0.0.0.0 for every interface");
      }
      this.host = host;
      return this;
    }

    /** The port (default 6001), or 0 for any free port (read it back with {@link #port()}). */
    public Builder port(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port must be between 0 and 65535 but was " + port);
      }
      this.port = port;
      return this;
    }

    /** Serves {@code app}; call once per app. Ids and keys must be unique. */
    public Builder app(App app) {
      Objects.requireNonNull(app, "app");
      if (apps.containsKey(app.id())) {
        throw new IllegalArgumentException("An app with id " + app.id() + " was already added");
      }
      for (App other : apps.values()) {
        if (other.key().equals(app.key())) {
          throw new IllegalArgumentException("Apps " + other.id() + " and " + app.id() + " have the same key " + app.key());
        }
      }
      apps.put(app.id(), app);
      return this;
    }

    /** The largest WebSocket message a client may send, in bytes (default 64 KiB); larger ones close the socket with 1009. */
    public Builder maxMessageSize(int bytes) {
      this.maxMessageSize = atLeast("maxMessageSize", bytes, 1024);
      return this;
    }

    /** The largest HTTP API request body, in bytes (default 1 MiB); larger ones get 413. */
    public Builder maxRequestSize(int bytes) {
      this.maxRequestSize = atLeast("maxRequestSize", bytes, 1024);
      return this;
    }

    /**
     * How long a connection may stay silent before the server pings it (default 120 s); also sent
     * to clients as {@code activity_timeout}, the interval at which they ping.
     */
    public Builder activityTimeout(Duration timeout) {
      this.activityTimeout = positiveSeconds("activityTimeout", timeout);
      return this;
    }

    /** How long the server waits for {@code pusher:pong} after its ping before closing with 4201 (default 30 s). */
    public Builder pongTimeout(Duration timeout) {
      this.pongTimeout = positiveSeconds("pongTimeout", timeout);
      return this;
    }

    /**
     * The bytes that may wait to be written to one socket (default 1 MiB). A client that reads more
     * slowly than events arrive is closed with 4100 when it passes this, so it never holds up others.
     */
    public Builder maxOutboundBufferSize(int bytes) {
      this.maxOutboundBytes = atLeast("maxOutboundBufferSize", bytes, 4 * 1024);
      return this;
    }

    /**
     * How long a new connection may take to send its first byte (default 5 s); past it, it is
     * closed and counted in {@link #closedConnections()}. {@link Duration#ZERO} turns it off.
     */
    public Builder firstBytesTimeout(Duration timeout) {
      this.firstBytesTimeout = deadline("firstBytesTimeout", timeout);
      return this;
    }

    /** How long the rest of a request's headers may take after its first byte (default 10 s); zero is off. */
    public Builder requestHeadersTimeout(Duration timeout) {
      this.requestHeadersTimeout = deadline("requestHeadersTimeout", timeout);
      return this;
    }

    /** How long a request's body may take after its headers (default 10 s); zero is off. */
    public Builder requestBodyTimeout(Duration timeout) {
      this.requestBodyTimeout = deadline("requestBodyTimeout", timeout);
      return this;
    }

    /** How long a kept-alive HTTP connection may wait for its next request (default 30 s); zero is off. */
    public Builder keepAliveTimeout(Duration timeout) {
      this.keepAliveTimeout = deadline("keepAliveTimeout", timeout);
      return this;
    }

    /**
     * Connections one remote address may hold while they are still opening, that is before their
     * first request's headers are complete (default 64); more are closed at once and counted. 0 is
     * no limit. Behind a reverse proxy, list it with {@link #trustedProxies} and limit at the proxy.
     */
    public Builder maxOpeningConnectionsPerAddress(int max) {
      this.maxOpeningPerAddress = atLeast("maxOpeningConnectionsPerAddress", max, 0);
      return this;
    }

    /**
     * The IP addresses of reverse proxies in front of the server (literals such as
     * {@code 10.0.0.5} or {@code ::1}): every client behind one shares its address, so their
     * connections are not counted against {@link #maxOpeningConnectionsPerAddress}.
     */
    public Builder trustedProxies(String... addresses) {
      for (String address : addresses) {
        if (address == null || !IP_LITERAL.matcher(address).matches()) {
          throw new IllegalArgumentException("Trusted proxy \"" + address + "\" is not an IP address; write it as "
              + "10.0.0.5 or ::1 (host names are not resolved)");
        }
        try {
          trustedProxies.add(InetAddress.getByName(address));
        } catch (java.net.UnknownHostException e) {
          throw new IllegalArgumentException("Trusted proxy \"" + address + "\" is not an IP address", e);
        }
      }
      return this;
    }

    /**
     * Serves the dashboard at {@code /dashboard}: live figures, what is connected, an event log and
     * a form to send a test event. One logs in with an app's key and secret and sees that app. Off
     * by default.
     */
    public Builder dashboard() {
      this.dashboard = true;
      return this;
    }

    /**
     * As {@link #dashboard()}, and {@code user} with {@code password} (at least 12 characters) log
     * in to every app of the server.
     */
    public Builder dashboard(String user, String password) {
      if (user == null || user.isBlank()) {
        throw new IllegalArgumentException("The dashboard user is blank; name one, such as admin");
      }
      if (password == null || password.length() < 12) {
        throw new IllegalArgumentException("The dashboard password must be at least 12 characters but was "
            + (password == null ? "null" : password.length() + " characters") + "; generate one with: "
            + "openssl rand -base64 18");
      }
      this.dashboard = true;
      this.dashboardUser = user;
      this.dashboardPassword = password;
      return this;
    }

    /** Test hook: how long a webhook connection stays open without a request (30 s). */
    Builder webhookIdleTimeout(Duration timeout) {
      this.webhookIdleTimeout = timeout;
      return this;
    }

    /** Test hook: the clock that webhook batching and retries follow. */
    Builder webhookClock(WebhookClock clock) {
      this.webhookClock = clock;
      return this;
    }

    /**
     * Serves {@code wss://} and {@code https://} with a certificate chain and a PKCS#8 private key,
     * both PEM files (as Let's Encrypt writes them).
     */
    public Builder tls(Path certificateChainPem, Path privateKeyPem) {
      for (Path file : List.of(certificateChainPem, privateKeyPem)) {
        if (!Files.isReadable(file)) {
          throw new IllegalArgumentException("TLS file " + file.toAbsolutePath() + " does not exist or is not readable");
        }
      }
      try {
        this.ssl = SslContextBuilder.forServer(certificateChainPem.toFile(), privateKeyPem.toFile()).build();
      } catch (Exception e) {
        throw new IllegalArgumentException("TLS files " + certificateChainPem + " and " + privateKeyPem
            + " could not be read as a PEM certificate chain and a PEM PKCS#8 private key: " + e.getMessage(), e);
      }
      return this;
    }

    public BroadcastServer build() {
      if (apps.isEmpty()) {
        throw new IllegalStateException("No app configured; add one with app(App.builder(id, key, secret).build())");
      }
      return new BroadcastServer(this);
    }

    private static int atLeast(String name, int value, int min) {
      if (value < min) {
        throw new IllegalArgumentException(name + " must be at least " + min + " but was " + value);
      }
      return value;
    }

    private static Duration deadline(String name, Duration value) {
      Objects.requireNonNull(value, name);
      if (value.isNegative() || value.compareTo(Duration.ofHours(1)) > 0) {
        throw new IllegalArgumentException(name + " must be between 0 (off) and 1 hour but was " + value);
      }
      return value;
    }

    private static Duration positiveSeconds(String name, Duration value) {
      Objects.requireNonNull(value, name);
      if (value.toMillis() < 1000) {
        throw new IllegalArgumentException(name + " must be at least one second but was " + value);
      }
      return value;
    }
  }
}
