package dev.broadcasting.ably;

import dev.broadcasting.BroadcastException;
import dev.broadcasting.ably.internal.AblyHosts;
import dev.broadcasting.ably.internal.AblyKey;
import dev.broadcasting.ably.internal.AblyPublisher;
import dev.broadcasting.ably.internal.AblyRestClient;
import dev.broadcasting.internal.DaemonThreads;
import dev.broadcasting.internal.NoDelaySockets;
import dev.broadcasting.spi.BroadcastDriver;
import dev.broadcasting.spi.BroadcastMessage;
import dev.broadcasting.spi.ChannelAuthSigner;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import okhttp3.ConnectionPool;
import okhttp3.Dispatcher;
import okhttp3.OkHttpClient;

/**
 * The {@code ably} driver: publishes broadcasts through Ably's REST API, and signs channel auth for
 * pusher-js clients on Ably's Pusher adapter (see {@link AblyTokens} for {@code @ably/laravel-echo}).
 *
 * <p>Each message carries an idempotent id derived from the broadcast's own id, which core keeps
 * across retries: when an answer is lost and the broadcast is sent again, Ably drops the copy. A
 * 5xx, a timeout or an unreachable host is first retried on Ably's fallback hosts, within one call.
 *
 * <pre>{@code
 * AblyBroadcastDriver ably = AblyBroadcastDriver.builder()
 *     .key(System.getenv("ABLY_KEY"))            // appId.keyId:keySecret
 *     .requestTimeout(Duration.ofSeconds(5))
 *     .build();
 * Broadcaster broadcaster = Broadcaster.builder().connection("ably", ably).build();
 * }</pre>
 *
 * <p>Or from the environment: {@code BROADCAST_CONNECTION=ably} and {@code ABLY_KEY}.
 */
public final class AblyBroadcastDriver implements BroadcastDriver {
  /** Coalesced events handed over at once; a channel's share one request within the size limit. */
  private static final int MAX_BATCH = 100;
  private final AblyKey key;
  private final AblyHosts hosts;
  private final AblyPublisher publisher;
  private final AblyAuthSigner signer;
  private final OkHttpClient ownClient;
  private final AtomicBoolean closed = new AtomicBoolean();

  private AblyBroadcastDriver(Builder builder, AblyKey key, AblyHosts hosts, OkHttpClient client, OkHttpClient ownClient) {
    this.key = key;
    this.hosts = hosts;
    this.ownClient = ownClient;
    int port = builder.port > 0 ? builder.port : builder.tls ? 443 : 80;
    AblyRestClient rest = new AblyRestClient(client, builder.tls, port, hosts, key.basicAuthorization(),
        builder.httpMaxRetryCount, builder.httpMaxRetryDuration);
    this.publisher = new AblyPublisher(rest, builder.channelNames, builder.maxMessageSize);
    this.signer = new AblyAuthSigner(key);
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public CompletableFuture<Void> publish(BroadcastMessage message) {
    Objects.requireNonNull(message, "message");
    if (closed.get()) {
      return CompletableFuture.failedFuture(new BroadcastException(
          "The ably driver is closed; publish through a broadcaster that is open"));
    }
    return publisher.publish(message);
  }

  /**
   * Sends the messages in order; consecutive messages for one channel share a request. See
   * {@link #publish} for what a failure means.
   */
  @Override
  public CompletableFuture<Void> publishAll(List<BroadcastMessage> messages) {
    Objects.requireNonNull(messages, "messages");
    if (closed.get()) {
      return CompletableFuture.failedFuture(new BroadcastException(
          "The ably driver is closed; publish through a broadcaster that is open"));
    }
    return messages.isEmpty() ? CompletableFuture.completedFuture(null) : publisher.publishAll(messages);
  }

  /** Coalesced events: up to this many go out together, a channel's in one request. */
  @Override
  public int maxBatch() {
    return MAX_BATCH;
  }

  /**
   * Events core coalesced, each with its own outcome: a channel's in one request, several
   * channels' in one batch publish ({@code POST /messages}, a spec per channel), where a channel
   * Ably refused fails alone.
   */
  @Override
  public List<CompletableFuture<Void>> publishBatch(List<BroadcastMessage> messages) {
    Objects.requireNonNull(messages, "messages");
    if (closed.get()) {
      return messages.stream().map(this::publish).collect(Collectors.toList());
    }
    return publisher.publishEach(messages);
  }


  /** Laravel-style signatures, as pusher-js on Ably's Pusher adapter expects them. */
  @Override
  public ChannelAuthSigner authSigner() {
    return signer;
  }

  /**
   * Stops the HTTP client this driver built (its open calls cancelled, its daemon threads ended);
   * an application-supplied client is left open.
   */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true) && ownClient != null) {
      ownClient.dispatcher().cancelAll();
      ownClient.dispatcher().executorService().shutdown();
      ownClient.connectionPool().evictAll();
    }
  }

  @Override
  public String toString() {
    return "AblyBroadcastDriver{key=" + key + ", host=" + hosts + "}";
  }

  /**
   * Configures an {@link AblyBroadcastDriver}. Only the key is required; everything else follows
   * Ably's client library spec (REC1, REC2, TO3l).
   */
  public static final class Builder {
    private String key;
    private String endpoint;
    private String host;
    private int port;
    private boolean tls = true;
    private boolean allowInsecureBasicAuth;
    private List<String> fallbackHosts;
    private AblyChannelNames channelNames = AblyChannelNames.laravel();
    private int maxMessageSize = 64 * 1024;
    private Duration connectTimeout = Duration.ofSeconds(4);
    private Duration requestTimeout = Duration.ofSeconds(10);
    private int httpMaxRetryCount = 3;
    private Duration httpMaxRetryDuration = Duration.ofSeconds(15);
    private OkHttpClient httpClient;

    private Builder() {}

    /** The API key, {@code appId.keyId:keySecret}, with the publish capability on the channels used. */
    public Builder key(String key) {
      this.key = Objects.requireNonNull(key, "key");
      return this;
    }

    /**
     * An Ably endpoint (REC1b): a routing policy id such as {@code "acme"} or
     * {@code "nonprod:sandbox"}, which keeps its fallback hosts, or a hostname, which has none.
     */
    public Builder endpoint(String endpoint) {
      Objects.requireNonNull(endpoint, "endpoint");
      if (endpoint.isBlank() || endpoint.contains("/")) {
        throw new IllegalArgumentException("endpoint must be a routing policy id (\"acme\") or a hostname "
            + "(\"ably.example.com\"), without scheme or path, but was \"" + endpoint + "\"");
      }
      if (host != null) {
        throw new IllegalStateException("host was already set to \"" + host + "\"; set either endpoint or host");
      }
      this.endpoint = endpoint.trim();
      return this;
    }

    /** A host to send to instead of Ably's (a proxy, a test server); no fallback hosts are used with it. */
    public Builder host(String host) {
      Objects.requireNonNull(host, "host");
      if (host.isBlank() || host.contains("/") || host.contains(" ")) {
        throw new IllegalArgumentException("host must be a bare hostname such as \"ably.example.com\", but was \""
            + host + "\"");
      }
      if (endpoint != null) {
        throw new IllegalStateException("endpoint was already set to \"" + endpoint + "\"; set either endpoint or host");
      }
      this.host = host.trim();
      return this;
    }

    /** The port; 443 with TLS and 80 without by default. */
    public Builder port(int port) {
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("port must be between 1 and 65535 but was " + port);
      }
      this.port = port;
      return this;
    }

    /** HTTPS (the default) or plain HTTP; plain HTTP also needs {@link #allowInsecureBasicAuth(boolean)}. */
    public Builder tls(boolean tls) {
      this.tls = tls;
      return this;
    }

    /**
     * Sends the key over plain HTTP, which Ably's spec forbids (RSA1): for tests against a local
     * server only.
     */
    public Builder allowInsecureBasicAuth(boolean allow) {
      this.allowInsecureBasicAuth = allow;
      return this;
    }

    /** Fallback hosts to use instead of those the endpoint implies (REC2a); an empty list turns fallback off. */
    public Builder fallbackHosts(List<String> fallbackHosts) {
      Objects.requireNonNull(fallbackHosts, "fallbackHosts");
      for (String fallback : fallbackHosts) {
        if (fallback == null || fallback.isBlank() || fallback.contains("/")) {
          throw new IllegalArgumentException("fallbackHosts must be bare hostnames, but one was \"" + fallback + "\"");
        }
      }
      this.fallbackHosts = List.copyOf(fallbackHosts);
      return this;
    }

    /** How channel names become Ably channel names; {@link AblyChannelNames#laravel()} by default. */
    public Builder channelNames(AblyChannelNames channelNames) {
      this.channelNames = Objects.requireNonNull(channelNames, "channelNames");
      return this;
    }

    /** The largest message sent, event name and payload in UTF-8 bytes; 64 KiB (Ably's default limit) by default. */
    public Builder maxMessageSize(int bytes) {
      if (bytes < 1) {
        throw new IllegalArgumentException("maxMessageSize must be at least 1 byte but was " + bytes);
      }
      this.maxMessageSize = bytes;
      return this;
    }

    /** How long opening a connection may take (httpOpenTimeout, TO3l3); 4 s by default. */
    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = positive("connectTimeout", timeout);
      return this;
    }

    /** How long one request to one host may take (httpRequestTimeout, TO3l4); 10 s by default. */
    public Builder requestTimeout(Duration timeout) {
      this.requestTimeout = positive("requestTimeout", timeout);
      return this;
    }

    /** The most fallback hosts one publish tries after the primary (TO3l5); 3 by default, 0 for none. */
    public Builder httpMaxRetryCount(int count) {
      if (count < 0) {
        throw new IllegalArgumentException("httpMaxRetryCount must not be negative but was " + count);
      }
      this.httpMaxRetryCount = count;
      return this;
    }

    /** No fallback host is tried later than this after the first attempt (TO3l6); 15 s by default. */
    public Builder httpMaxRetryDuration(Duration duration) {
      this.httpMaxRetryDuration = positive("httpMaxRetryDuration", duration);
      return this;
    }

    /**
     * The application's own client, whose connection pool and dispatcher are shared; the driver
     * applies its timeouts to a derived client and never closes the application's. The derived
     * client's sockets have Nagle's algorithm off ({@code TCP_NODELAY}), unless the application's
     * client has a socket factory of its own.
     */
    public Builder httpClient(OkHttpClient client) {
      this.httpClient = Objects.requireNonNull(client, "client");
      return this;
    }

    public AblyBroadcastDriver build() {
      if (key == null) {
        throw new IllegalStateException("No Ably key: call key(\"appId.keyId:keySecret\") or set ABLY_KEY");
      }
      AblyKey parsed = AblyKey.parse(key, "The Ably key");
      if (!tls && !allowInsecureBasicAuth) {
        throw new IllegalStateException("TLS off (ABLY_TLS=false, or tls(false)) would send the Ably key in clear "
            + "text, which Ably refuses (RSA1); keep TLS on, or for a test server on this machine allow it with "
            + "ABLY_ALLOW_INSECURE_BASIC_AUTH=true in the settings, or allowInsecureBasicAuth(true) on the builder");
      }
      AblyHosts hosts = endpoint != null ? AblyHosts.endpoint(endpoint)
          : host != null ? AblyHosts.host(host) : AblyHosts.defaults();
      if (fallbackHosts != null) {
        hosts = hosts.withFallbacks(fallbackHosts);
      }
      OkHttpClient own = null;
      OkHttpClient base = httpClient;
      if (base == null) {
        // daemon threads the driver owns and stops on close, not OkHttp's non-daemon defaults
        Dispatcher dispatcher = new Dispatcher(new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS,
            new SynchronousQueue<>(), DaemonThreads.named("broadcasting-ably-http-")));
        dispatcher.setMaxRequests(128);
        dispatcher.setMaxRequestsPerHost(64);
        // as many idle connections as requests in flight, so that bursts do not reconnect
        own = new OkHttpClient.Builder().dispatcher(dispatcher)
            .connectionPool(new ConnectionPool(64, 5, TimeUnit.MINUTES)).build();
        base = own;
      }
      OkHttpClient client = base.newBuilder()
          .socketFactory(NoDelaySockets.unlessCustom(base.socketFactory()))
          .connectTimeout(connectTimeout)
          .callTimeout(requestTimeout)
          .readTimeout(requestTimeout)
          .writeTimeout(requestTimeout)
          .build();
      return new AblyBroadcastDriver(this, parsed, hosts, client, own);
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
