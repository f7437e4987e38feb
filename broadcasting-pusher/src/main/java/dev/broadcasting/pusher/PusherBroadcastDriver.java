package dev.broadcasting.pusher;

import dev.broadcasting.BroadcastException;
import dev.broadcasting.Channel;
import dev.broadcasting.PresenceChannel;
import dev.broadcasting.pusher.internal.ChannelEncrypter;
import dev.broadcasting.pusher.internal.EventSender;
import dev.broadcasting.pusher.internal.NettyTransport;
import dev.broadcasting.pusher.internal.OkHttpTransport;
import dev.broadcasting.pusher.internal.PusherEndpoint;
import dev.broadcasting.pusher.internal.PusherHttp;
import dev.broadcasting.pusher.internal.PusherTransport;
import dev.broadcasting.pusher.internal.QueryResults;
import dev.broadcasting.pusher.protocol.EncryptionMasterKey;
import dev.broadcasting.pusher.protocol.PusherAuthSigner;
import dev.broadcasting.pusher.protocol.PusherChannelNames;
import dev.broadcasting.pusher.protocol.PusherSigner;
import dev.broadcasting.pusher.protocol.PusherWebhook;
import dev.broadcasting.spi.BroadcastDriver;
import dev.broadcasting.spi.BroadcastMessage;
import dev.broadcasting.spi.ChannelAuthSigner;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import okhttp3.OkHttpClient;

/**
 * The {@code pusher} driver: publishes events through the Pusher Channels HTTP API, or through any
 * server that speaks it (soketi, Laravel Reverb, laravel-websockets, {@code broadcasting-server}),
 * and answers the API's queries. Channel auth answers are signed by its {@link #authSigner()}.
 *
 * <pre>{@code
 * PusherBroadcastDriver pusher = PusherBroadcastDriver.builder()
 *     .appId("1234").key("278d425bdf160c739803").secret(System.getenv("PUSHER_APP_SECRET"))
 *     .cluster("eu")
 *     .build();
 * Broadcaster broadcaster = Broadcaster.builder().connection("pusher", pusher).build();
 * }</pre>
 *
 * <p>Events go out as {@code POST /apps/{id}/events} (at most 100 channels a request; longer
 * channel lists are split), {@link #publishAll} as {@code POST /apps/{id}/batch_events} (at most 10
 * events a request). Events on {@code private-encrypted-} channels are encrypted with NaCl
 * secretbox under the channel's shared secret. A 4xx answer fails for good, carrying Pusher's
 * status and body; a 5xx, 429, timeout or connection failure is retryable.
 *
 * <p>Thread-safe. {@link #close()} releases the HTTP client the driver built, never one passed to
 * {@link Builder#client}. {@link #toString()} never shows the secret.
 */
public final class PusherBroadcastDriver implements BroadcastDriver {
  private final String appId;
  private final PusherSigner signer;
  private final PusherHttp http;
  private final EventSender events;
  private final PusherAuthSigner authSigner;
  private final boolean encrypted;
  private volatile boolean closed;

  private PusherBroadcastDriver(Builder builder) {
    this.appId = builder.appId;
    this.signer = new PusherSigner(builder.key, builder.secret);
    PusherEndpoint endpoint = builder.endpoint();
    // OkHttp only for an application's own client: the class is not touched otherwise, so OkHttp may be absent
    PusherTransport transport = builder.client != null
        ? new OkHttpTransport((OkHttpClient) builder.client, endpoint, builder.connectTimeout, builder.readTimeout,
            builder.callTimeout)
        : new NettyTransport(endpoint, builder.connectTimeout, builder.readTimeout, builder.callTimeout);
    this.http = new PusherHttp(transport, endpoint, appId, signer);
    this.encrypted = builder.masterKey != null;
    this.events = new EventSender(http, encrypted ? new ChannelEncrypter(builder.masterKey) : null,
        builder.payloadLimit);
    this.authSigner = new PusherAuthSigner(signer, builder.masterKey);
  }

  /** A builder; {@code appId}, {@code key} and {@code secret} are required. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public CompletableFuture<Void> publish(BroadcastMessage message) {
    return closed ? closedFailure() : events.trigger(message);
  }

  /** Sends the messages through {@code batch_events}, 10 (event, channel) pairs a request, in order. */
  @Override
  public CompletableFuture<Void> publishAll(List<BroadcastMessage> messages) {
    return closed ? closedFailure() : events.batch(messages);
  }

  /** Pusher takes 10 events in one {@code batch_events} request. */
  @Override
  public int maxBatch() {
    return EventSender.MAX_EVENTS_PER_BATCH;
  }

  /** Events core coalesced, packed into {@code batch_events} requests of 10 (event, channel) items, each event with its own outcome. */
  @Override
  public List<CompletableFuture<Void>> publishBatch(List<BroadcastMessage> messages) {
    if (closed) {
      List<CompletableFuture<Void>> failed = new ArrayList<>(messages.size());
      messages.forEach(message -> failed.add(closedFailure()));
      return failed;
    }
    return events.batchEach(messages);
  }

  /**
   * The {@code batch_events} request of {@code messages} built and signed ahead, while the one
   * before it is in flight; sent as {@link #publishBatch} would send it, signed again if 1 s old.
   */
  @Override
  public PreparedBatch prepareBatch(List<BroadcastMessage> messages) {
    PreparedBatch prepared = events.prepareBatch(messages);
    return () -> closed ? publishBatch(messages) : prepared.send();
  }

  @Override
  public ChannelAuthSigner authSigner() {
    return authSigner;
  }

  /** The signer of this app's key and secret, e.g. to build a {@link PusherWebhook}. */
  public PusherSigner signer() {
    return signer;
  }

  /**
   * The occupied channels whose names start with {@code prefix} (all of them for null), with each
   * presence channel's user count when {@code userCount} is set (then the prefix must be
   * {@code presence-...}, as Pusher requires).
   */
  public CompletableFuture<List<PusherChannel>> channels(String prefix, boolean userCount) {
    if (userCount && (prefix == null || !prefix.startsWith(PresenceChannel.PREFIX))) {
      return CompletableFuture.failedFuture(new BroadcastException("Pusher counts users of presence channels only: "
          + "pass a prefix starting with \"presence-\" (was " + (prefix == null ? "none" : "\"" + prefix + "\"")
          + ") or userCount=false"));
    }
    Map<String, String> query = new LinkedHashMap<>();
    if (prefix != null) {
      query.put("filter_by_prefix", prefix);
    }
    if (userCount) {
      query.put("info", PusherChannel.Info.USER_COUNT.wireName());
    }
    return query(http.appPath("/channels"), query).thenApply(QueryResults::channels);
  }

  /** The state of one channel, with the counts asked for in {@code info}. */
  public CompletableFuture<PusherChannel> channel(String channelName, PusherChannel.Info... info) {
    Channel channel;
    try {
      channel = parse(channelName);
    } catch (BroadcastException e) {
      return CompletableFuture.failedFuture(e);
    }
    if (Arrays.asList(info).contains(PusherChannel.Info.USER_COUNT) && !(channel instanceof PresenceChannel)) {
      return CompletableFuture.failedFuture(new BroadcastException("Pusher counts users of presence channels only; "
          + channelName + " is not one: leave out Info.USER_COUNT"));
    }
    Map<String, String> query = info.length == 0 ? Map.of() : Map.of("info",
        Arrays.stream(info).distinct().map(PusherChannel.Info::wireName).collect(Collectors.joining(",")));
    return query(http.appPath("/channels/" + channel.name()), query)
        .thenApply(body -> QueryResults.channel(channel.name(), body));
  }

  /** The ids of the users subscribed to a presence channel. */
  public CompletableFuture<List<String>> presenceUsers(String channelName) {
    try {
      if (!(parse(channelName) instanceof PresenceChannel)) {
        throw new BroadcastException("Only presence channels have users; " + channelName
            + " does not start with \"presence-\"");
      }
    } catch (BroadcastException e) {
      return CompletableFuture.failedFuture(e);
    }
    return query(http.appPath("/channels/" + channelName + "/users"), Map.of())
        .thenApply(body -> QueryResults.userIds(channelName, body));
  }

  /** Closes every connection of the signed-in user {@code userId}, e.g. after a logout or a ban. */
  public CompletableFuture<Void> terminateUserConnections(String userId) {
    BroadcastException invalid = checkUserId(userId);
    if (invalid != null) {
      return CompletableFuture.failedFuture(invalid);
    }
    return closed ? closedFailure() : http.post(http.appPath("/users/" + userId + "/terminate_connections"),
        "{}".getBytes(StandardCharsets.UTF_8)).thenApply(ok -> null);
  }

  /**
   * Sends {@code event} to every connection of the signed-in user {@code userId}, through the
   * channel {@code #server-to-user-<userId>} that Pusher reserves for it.
   *
   * @param dataJson the event data as JSON text
   */
  public CompletableFuture<Void> sendToUser(String userId, String event, String dataJson) {
    BroadcastException invalid = checkUserId(userId);
    if (invalid != null) {
      return CompletableFuture.failedFuture(invalid);
    }
    if (event == null || dataJson == null) {
      return CompletableFuture.failedFuture(new BroadcastException("sendToUser needs an event name and data"));
    }
    return closed ? closedFailure()
        : events.trigger(event, List.of(PusherChannelNames.SERVER_TO_USER_PREFIX + userId), dataJson, null);
  }

  private CompletableFuture<String> query(String path, Map<String, String> query) {
    return closed ? closedFailure() : http.get(path, query);
  }

  private static Channel parse(String channelName) {
    if (channelName == null) {
      throw new BroadcastException("Channel name is null");
    }
    String error = PusherChannelNames.error(channelName);
    if (error != null) {
      throw new BroadcastException("Channel name \"" + channelName + "\" " + error);
    }
    return Channel.of(channelName);
  }

  private static BroadcastException checkUserId(String userId) {
    String error = userId == null ? "is missing"
        : PusherChannelNames.error(PusherChannelNames.SERVER_TO_USER_PREFIX + userId);
    return error == null ? null : new BroadcastException("User id " + (userId == null ? "null" : "\"" + userId + "\"")
        + " is invalid: its channel " + PusherChannelNames.SERVER_TO_USER_PREFIX + "<user id> " + error);
  }

  private <T> CompletableFuture<T> closedFailure() {
    return CompletableFuture.failedFuture(new BroadcastException("The pusher driver for app " + appId
        + " is closed"));
  }

  /**
   * Releases the transport the driver built: its open requests fail, its connections close and
   * its daemon thread ends. An application's {@link Builder#client} stays open. Idempotent.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    http.transport().close();
  }

  @Override
  public String toString() {
    return "PusherBroadcastDriver{appId=" + appId + ", key=" + signer.key() + ", url=" + http.endpoint()
        + ", encrypted=" + encrypted + "}";
  }

  /**
   * Configures a {@link PusherBroadcastDriver}. Each setter checks its value at once and names what
   * is wrong; {@link #build()} checks that the app id, key and secret were given.
   *
   * <p>The server is {@code https://api-<cluster>.pusher.com:443} ({@code mt1} by default), unless a
   * {@link #host} is set: then {@code <scheme>://<host>:<port>}, for self-hosted servers.
   */
  public static final class Builder {
    /** Pusher's own limit on the data of one event. */
    public static final int DEFAULT_PAYLOAD_LIMIT = 10 * 1024;
    private static final Pattern APP_ID = Pattern.compile("[-a-zA-Z0-9_.]+");
    private static final Pattern CLUSTER = Pattern.compile("[a-z0-9][a-z0-9-]*");
    /** A DNS name (underscores allowed, as in container names), an IPv4 address, or an IPv6 address without brackets. */
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_.])?|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

    private String appId;
    private String key;
    private String secret;
    private String cluster = "mt1";
    private String host;
    private Integer port;
    private String scheme = "https";
    private Duration connectTimeout;
    private Duration readTimeout;
    private Duration callTimeout;
    private byte[] masterKey;
    private int payloadLimit = DEFAULT_PAYLOAD_LIMIT;
    /** An {@code OkHttpClient}, typed Object so that the builder loads without OkHttp on the class path. */
    private Object client;

    private Builder() {}

    /** The app id, as in Pusher's dashboard ({@code PUSHER_APP_ID}). */
    public Builder appId(String appId) {
      if (appId == null || !APP_ID.matcher(appId).matches()) {
        throw new IllegalArgumentException("Pusher app id " + quoted(appId) + " is invalid: use the app id from "
            + "the dashboard, e.g. \"1234567\" (letters, digits, '-', '_', '.')");
      }
      this.appId = appId;
      return this;
    }

    /** The app key ({@code PUSHER_APP_KEY}), also given to clients. */
    public Builder key(String key) {
      this.key = requireText("key", key, "PUSHER_APP_KEY");
      return this;
    }

    /** The app secret ({@code PUSHER_APP_SECRET}); it never appears in logs, messages or toString. */
    public Builder secret(String secret) {
      this.secret = requireText("secret", secret, "PUSHER_APP_SECRET");
      return this;
    }

    /** The cluster, such as {@code eu} or {@code us2}: the server is {@code api-<cluster>.pusher.com}. */
    public Builder cluster(String cluster) {
      if (cluster == null || !CLUSTER.matcher(cluster).matches()) {
        throw new IllegalArgumentException("Pusher cluster " + quoted(cluster) + " is invalid: use the cluster "
            + "name from the dashboard, e.g. \"eu\", \"us2\" or \"mt1\"");
      }
      this.cluster = cluster;
      return this;
    }

    /**
     * A host name or address to send to instead of Pusher's cluster, for a self-hosted
     * Pusher-compatible server (soketi, Reverb, {@code broadcasting-server}). Takes precedence
     * over {@link #cluster}.
     */
    public Builder host(String host) {
      String h = requireText("host", host, "PUSHER_HOST");
      if (h.contains("://") || h.contains("/")) {
        throw new IllegalArgumentException("Pusher host " + quoted(host) + " must be a host name only, such as "
            + "\"soketi.internal\" or \"127.0.0.1\": put the scheme in scheme() and the port in port()");
      }
      if (!HOST.matcher(h).matches()) {
        throw new IllegalArgumentException("Pusher host " + quoted(host) + " is not a valid host name");
      }
      this.host = h;
      return this;
    }

    /** The port of {@link #host}; default 443 for https, 80 for http. */
    public Builder port(int port) {
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("Pusher port " + port + " is out of range 1..65535");
      }
      this.port = port;
      return this;
    }

    /** {@code https} (the default) or {@code http}, for a local server without TLS. */
    public Builder scheme(String scheme) {
      if (!"https".equals(scheme) && !"http".equals(scheme)) {
        throw new IllegalArgumentException("Pusher scheme " + quoted(scheme) + " must be \"https\" or \"http\"");
      }
      this.scheme = scheme;
      return this;
    }

    /** Whether to use TLS: the same as {@code scheme("https")} or {@code scheme("http")}. On by default. */
    public Builder useTls(boolean useTls) {
      return scheme(useTls ? "https" : "http");
    }

    /** How long to wait for a connection; default 5 s. */
    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = positive("connectTimeout", timeout);
      return this;
    }

    /**
     * How long the answer may go without a byte once the request is written; default 10 s. On an
     * application's {@link #client} OkHttp's read and write timeouts.
     */
    public Builder readTimeout(Duration timeout) {
      this.readTimeout = positive("readTimeout", timeout);
      return this;
    }

    /** How long one whole request may take, the wait for a connection and connecting included; default 20 s. */
    public Builder callTimeout(Duration timeout) {
      this.callTimeout = positive("callTimeout", timeout);
      return this;
    }

    /**
     * The master key of {@code private-encrypted-} channels: base64 of exactly 32 bytes
     * ({@code PUSHER_ENCRYPTION_MASTER_KEY_BASE64}), e.g. from {@code openssl rand -base64 32}.
     */
    public Builder encryptionMasterKeyBase64(String masterKeyBase64) {
      String text = requireText("encryptionMasterKeyBase64", masterKeyBase64, "PUSHER_ENCRYPTION_MASTER_KEY_BASE64");
      this.masterKey = EncryptionMasterKey.fromBase64(text);
      return this;
    }

    /**
     * The largest event data accepted, in bytes of UTF-8: 10 KB by default as on Pusher. Raise it
     * only for a self-hosted server configured to accept more.
     */
    public Builder payloadLimit(int bytes) {
      if (bytes < 1) {
        throw new IllegalArgumentException("Pusher payload limit must be positive but was " + bytes);
      }
      this.payloadLimit = bytes;
      return this;
    }

    /**
     * Sends over an application's own OkHttpClient (its interceptors, proxy, TLS settings, pool and
     * threads) instead of the driver's default Netty transport; the driver derives its client with
     * {@code newBuilder()} and never shuts it down. The derived client's sockets have Nagle's
     * algorithm off ({@code TCP_NODELAY}), unless the application's client has a socket factory of
     * its own. OkHttp is an optional dependency of this module: an application that calls this
     * method adds {@code com.squareup.okhttp3:okhttp-jvm} itself.
     */
    public Builder client(OkHttpClient client) {
      this.client = Objects.requireNonNull(client, "client");
      return this;
    }

    public PusherBroadcastDriver build() {
      StringBuilder missing = new StringBuilder();
      if (appId == null) {
        missing.append(" appId (PUSHER_APP_ID)");
      }
      if (key == null) {
        missing.append(" key (PUSHER_APP_KEY)");
      }
      if (secret == null) {
        missing.append(" secret (PUSHER_APP_SECRET)");
      }
      if (missing.length() > 0) {
        throw new IllegalStateException("The pusher driver needs" + missing + "; set them on the builder");
      }
      return new PusherBroadcastDriver(this);
    }

    PusherEndpoint endpoint() {
      return new PusherEndpoint(scheme, host != null ? host : "api-" + cluster + ".pusher.com",
          port != null ? port : "https".equals(scheme) ? 443 : 80);
    }

    private static String requireText(String name, String value, String setting) {
      if (value == null || value.isBlank()) {
        throw new IllegalArgumentException("Pusher " + name + " is blank: pass a value (" + setting + ")");
      }
      return value.trim();
    }

    private static Duration positive(String name, Duration timeout) {
      if (timeout == null || timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException(name + " must be positive but was " + timeout);
      }
      return timeout;
    }

    private static String quoted(String value) {
      return value == null ? "null" : "\"" + value + "\"";
    }

    @Override
    public String toString() {
      return "PusherBroadcastDriver.Builder{appId=" + appId + ", key=" + key + ", url=" + endpoint() + "}";
    }
  }
}
