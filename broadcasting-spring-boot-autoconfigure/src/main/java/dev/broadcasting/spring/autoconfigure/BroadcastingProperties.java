package dev.broadcasting.spring.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code broadcasting.*} properties. Each driver setting can also be given by its Laravel
 * environment name ({@code BROADCAST_CONNECTION}, {@code PUSHER_APP_KEY}, ...), in the environment
 * or as a property; a {@code broadcasting.*} property wins over it.
 *
 * <pre>{@code
 * broadcasting.default-connection=pusher
 * broadcasting.pusher.app-id=1
 * broadcasting.pusher.key=app-key
 * broadcasting.pusher.secret=${PUSHER_SECRET}
 * broadcasting.connections.pusher.driver=pusher
 * broadcasting.connections.eu.driver=pusher
 * broadcasting.connections.eu.settings.PUSHER_APP_CLUSTER=eu
 * broadcasting.connections.audit.driver=log
 * broadcasting.queue.capacity=50000
 * }</pre>
 */
@ConfigurationProperties("broadcasting")
public class BroadcastingProperties {
  /**
   * The connection for events that name none (Laravel's BROADCAST_CONNECTION). Optional with one
   * connection; with none configured, the connection of that name is made with the driver of that name.
   */
  private String defaultConnection;

  /** The connections, by name. */
  private Map<String, Connection> connections = new LinkedHashMap<>();

  /**
   * Whether a broadcast made inside a transaction waits for its commit and is dropped on rollback
   * (Laravel's after_commit). When false, only events that implement ShouldBroadcastAfterCommit wait.
   */
  private boolean afterCommit = true;

  private final Pusher pusher = new Pusher();
  private final Ably ably = new Ably();
  private final Redis redis = new Redis();
  private final Queue queue = new Queue();
  private final Retry retry = new Retry();
  private final Auth auth = new Auth();
  private final Server server = new Server();

  public String getDefaultConnection() {
    return defaultConnection;
  }

  public void setDefaultConnection(String defaultConnection) {
    this.defaultConnection = defaultConnection;
  }

  public boolean isAfterCommit() {
    return afterCommit;
  }

  public void setAfterCommit(boolean afterCommit) {
    this.afterCommit = afterCommit;
  }

  public Map<String, Connection> getConnections() {
    return connections;
  }

  public void setConnections(Map<String, Connection> connections) {
    this.connections = connections;
  }

  public Pusher getPusher() {
    return pusher;
  }

  public Ably getAbly() {
    return ably;
  }

  public Redis getRedis() {
    return redis;
  }

  public Queue getQueue() {
    return queue;
  }

  /**
   * The settings of a connection by their Laravel names: those of its driver's group
   * ({@code broadcasting.pusher.*} for the pusher driver), then the connection's own.
   */
  Map<String, String> laravelSettings(String driver, Connection connection) {
    Map<String, String> values = new LinkedHashMap<>();
    switch (driver) {
      case "pusher" -> pusher.putInto(values);
      case "ably" -> put(values, "ABLY_KEY", ably.key);
      case "redis" -> redis.putInto(values);
      default -> { }
    }
    connection.settings.forEach((name, value) ->
        put(values, name.toUpperCase(Locale.ROOT).replace('-', '_').replace('.', '_'), value));
    return values;
  }

  static void put(Map<String, String> values, String name, Object value) {
    if (value != null) {
      values.put(name, value.toString());
    }
  }

  /** A property of a group ({@code T}), its environment name (which a driver or the queue reads) and its value. */
  private record Setting<T>(String property, String environment, Function<T, Object> value) {}

  /** {@code from}'s settings by their environment names. */
  private static <T> void putAll(Map<String, String> values, List<Setting<T>> settings, T from) {
    settings.forEach(setting -> put(values, setting.environment(), setting.value().apply(from)));
  }

  /** {@code message}, each environment name in it shown with its property's name under {@code group}. */
  private static <T> String inPropertyTerms(String message, String group, List<Setting<T>> settings) {
    String named = message;
    for (Setting<T> setting : settings) {
      named = named.replaceAll("\\b" + setting.environment() + "\\b", group + "." + setting.property() + " ("
          + setting.environment() + ")");
    }
    return named;
  }

  public Retry getRetry() {
    return retry;
  }

  public Auth getAuth() {
    return auth;
  }

  public Server getServer() {
    return server;
  }

  /** One connection: a driver and its settings. */
  public static class Connection {
    /** The driver: pusher, redis, ably, server, log or null. Defaults to the connection's name. */
    private String driver;

    /**
     * Any driver setting by its Laravel environment name, e.g. PUSHER_APP_KEY; kebab-case names
     * (pusher-app-key) work too. Wins over the driver's group (broadcasting.pusher.*) and the environment.
     */
    private Map<String, String> settings = new LinkedHashMap<>();

    public String getDriver() {
      return driver;
    }

    public void setDriver(String driver) {
      this.driver = driver;
    }

    public Map<String, String> getSettings() {
      return settings;
    }

    public void setSettings(Map<String, String> settings) {
      this.settings = settings;
    }
  }

  /** The settings of every connection whose driver is {@code pusher} (Pusher or a Pusher-compatible server). */
  public static class Pusher {
    /** PUSHER_APP_ID. */
    private String appId;
    /** PUSHER_APP_KEY. */
    private String key;
    /** PUSHER_APP_SECRET. */
    private String secret;
    /** PUSHER_APP_CLUSTER, e.g. eu. */
    private String cluster;
    /** PUSHER_HOST, for a Pusher-compatible server. */
    private String host;
    /** PUSHER_PORT. */
    private Integer port;
    /** PUSHER_SCHEME: http or https. */
    private String scheme;
    /** PUSHER_ENCRYPTION_MASTER_KEY_BASE64: 32 bytes, for private-encrypted- channels. */
    private String encryptionMasterKeyBase64;

    public String getAppId() {
      return appId;
    }

    public void setAppId(String appId) {
      this.appId = appId;
    }

    public String getKey() {
      return key;
    }

    public void setKey(String key) {
      this.key = key;
    }

    public String getSecret() {
      return secret;
    }

    public void setSecret(String secret) {
      this.secret = secret;
    }

    public String getCluster() {
      return cluster;
    }

    public void setCluster(String cluster) {
      this.cluster = cluster;
    }

    public String getHost() {
      return host;
    }

    public void setHost(String host) {
      this.host = host;
    }

    public Integer getPort() {
      return port;
    }

    public void setPort(Integer port) {
      this.port = port;
    }

    public String getScheme() {
      return scheme;
    }

    public void setScheme(String scheme) {
      this.scheme = scheme;
    }

    void putInto(Map<String, String> values) {
      put(values, "PUSHER_APP_ID", appId);
      put(values, "PUSHER_APP_KEY", key);
      put(values, "PUSHER_APP_SECRET", secret);
      put(values, "PUSHER_APP_CLUSTER", cluster);
      put(values, "PUSHER_HOST", host);
      put(values, "PUSHER_PORT", port);
      put(values, "PUSHER_SCHEME", scheme);
      put(values, "PUSHER_ENCRYPTION_MASTER_KEY_BASE64", encryptionMasterKeyBase64);
    }

    public String getEncryptionMasterKeyBase64() {
      return encryptionMasterKeyBase64;
    }

    public void setEncryptionMasterKeyBase64(String encryptionMasterKeyBase64) {
      this.encryptionMasterKeyBase64 = encryptionMasterKeyBase64;
    }
  }

  /** The settings of every connection whose driver is {@code ably}. */
  public static class Ably {
    /** ABLY_KEY: appId.keyId:secret. */
    private String key;

    public String getKey() {
      return key;
    }

    public void setKey(String key) {
      this.key = key;
    }
  }

  /**
   * The TLS trust of a {@code rediss://} connection, the same three properties for the redis
   * driver ({@code broadcasting.redis.*}, BROADCAST_REDIS_*) and the durable queue
   * ({@code broadcasting.queue.redis.*}, BROADCAST_QUEUE_REDIS_*).
   */
  public abstract static class RedisTrust {
    /**
     * For a rediss:// URL: a PEM file of the certificate authorities Redis's certificate must chain
     * to (BROADCAST_REDIS_CA_FILE, the queue's BROADCAST_QUEUE_REDIS_CA_FILE); unset, with no trust
     * store, the JVM's trust store.
     */
    private String caFile;
    /**
     * For a rediss:// URL: a PKCS12 or JKS trust store instead of ca-file (BROADCAST_REDIS_TRUST_STORE,
     * the queue's BROADCAST_QUEUE_REDIS_TRUST_STORE).
     */
    private String trustStore;
    /**
     * The trust store's password (BROADCAST_REDIS_TRUST_STORE_PASSWORD, the queue's
     * BROADCAST_QUEUE_REDIS_TRUST_STORE_PASSWORD).
     */
    private String trustStorePassword;

    public String getCaFile() {
      return caFile;
    }

    public void setCaFile(String caFile) {
      this.caFile = caFile;
    }

    public String getTrustStore() {
      return trustStore;
    }

    public void setTrustStore(String trustStore) {
      this.trustStore = trustStore;
    }

    public String getTrustStorePassword() {
      return trustStorePassword;
    }

    public void setTrustStorePassword(String trustStorePassword) {
      this.trustStorePassword = trustStorePassword;
    }
  }

  /** The settings of every connection whose driver is {@code redis}. */
  public static class Redis extends RedisTrust {
    /** REDIS_URL, e.g. redis://localhost:6379/0; wins over host and port. */
    private String url;
    /** REDIS_HOST. */
    private String host;
    /** REDIS_PORT. */
    private Integer port;
    /** REDIS_PASSWORD. */
    private String password;
    /** BROADCAST_REDIS_PREFIX: put before every channel name, as Laravel's database prefix. */
    private String prefix;
    /**
     * False: publish through lettuce instead of the driver's own socket (BROADCAST_REDIS_PUBLISH_SOCKET;
     * default true for a server or a Sentinel-managed master).
     */
    private Boolean publishSocket;

    /** Each property, its environment name (which the driver's provider reads) and its value. */
    private static final List<Setting<Redis>> SETTINGS = List.of(
        new Setting<>("url", "REDIS_URL", Redis::getUrl),
        new Setting<>("host", "REDIS_HOST", Redis::getHost),
        new Setting<>("port", "REDIS_PORT", Redis::getPort),
        new Setting<>("password", "REDIS_PASSWORD", Redis::getPassword),
        new Setting<>("prefix", "BROADCAST_REDIS_PREFIX", Redis::getPrefix),
        new Setting<>("ca-file", "BROADCAST_REDIS_CA_FILE", Redis::getCaFile),
        new Setting<>("trust-store", "BROADCAST_REDIS_TRUST_STORE", Redis::getTrustStore),
        new Setting<>("trust-store-password", "BROADCAST_REDIS_TRUST_STORE_PASSWORD", Redis::getTrustStorePassword),
        new Setting<>("publish-socket", "BROADCAST_REDIS_PUBLISH_SOCKET", Redis::getPublishSocket));

    /** These settings by their environment names, for the driver's provider. */
    void putInto(Map<String, String> values) {
      putAll(values, SETTINGS, this);
    }

    /** The driver's {@code message}, each environment name in it shown with its property's name. */
    static String inPropertyTerms(String message) {
      return BroadcastingProperties.inPropertyTerms(message, "broadcasting.redis", SETTINGS);
    }

    public String getUrl() {
      return url;
    }

    public void setUrl(String url) {
      this.url = url;
    }

    public String getHost() {
      return host;
    }

    public void setHost(String host) {
      this.host = host;
    }

    public Integer getPort() {
      return port;
    }

    public void setPort(Integer port) {
      this.port = port;
    }

    public String getPassword() {
      return password;
    }

    public void setPassword(String password) {
      this.password = password;
    }

    public String getPrefix() {
      return prefix;
    }

    public void setPrefix(String prefix) {
      this.prefix = prefix;
    }

    public Boolean getPublishSocket() {
      return publishSocket;
    }

    public void setPublishSocket(Boolean publishSocket) {
      this.publishSocket = publishSocket;
    }
  }

  /** The queue between broadcast() and the drivers. Unset values keep the broadcaster's defaults. */
  public static class Queue {
    /**
     * Where queued events wait: memory (the default), or redis for the durable queue of
     * broadcasting-queue-redis, which outlives the process. Laravel's BROADCAST_QUEUE.
     */
    private String store;
    private final DurableRedis redis = new DurableRedis();
    /** The most events queued or in flight at once (default 10000). */
    private Integer capacity;
    /** The most payload bytes queued or in flight at once (default 64 MiB). */
    private Long maxBytes;
    /** How long broadcast() waits for room in a full queue before failing; 0 fails at once (default 5s). */
    private Duration blockWhenFull;
    /** Threads that call the drivers (default: the number of processors, at least 2). */
    private Integer dispatchThreads;
    /** How long one driver call may take before it counts as a retryable failure (default 30s). */
    private Duration attemptTimeout;
    /** How long closing the broadcaster waits for queued events (default 30s). */
    private Duration drainTimeout;
    /** Send every event on the caller's thread, as ShouldBroadcastNow: for tests and scripts. */
    private boolean synchronous;

    public Integer getCapacity() {
      return capacity;
    }

    public void setCapacity(Integer capacity) {
      this.capacity = capacity;
    }

    public Long getMaxBytes() {
      return maxBytes;
    }

    public void setMaxBytes(Long maxBytes) {
      this.maxBytes = maxBytes;
    }

    public Duration getBlockWhenFull() {
      return blockWhenFull;
    }

    public void setBlockWhenFull(Duration blockWhenFull) {
      this.blockWhenFull = blockWhenFull;
    }

    public Integer getDispatchThreads() {
      return dispatchThreads;
    }

    public void setDispatchThreads(Integer dispatchThreads) {
      this.dispatchThreads = dispatchThreads;
    }

    public Duration getAttemptTimeout() {
      return attemptTimeout;
    }

    public void setAttemptTimeout(Duration attemptTimeout) {
      this.attemptTimeout = attemptTimeout;
    }

    public Duration getDrainTimeout() {
      return drainTimeout;
    }

    public void setDrainTimeout(Duration drainTimeout) {
      this.drainTimeout = drainTimeout;
    }

    public boolean isSynchronous() {
      return synchronous;
    }

    public String getStore() {
      return store;
    }

    public void setStore(String store) {
      this.store = store;
    }

    public DurableRedis getRedis() {
      return redis;
    }

    public void setSynchronous(boolean synchronous) {
      this.synchronous = synchronous;
    }
  }

  /**
   * The durable queue on Redis Streams (broadcasting.queue.store=redis). Each property is also read
   * by its environment name (BROADCAST_QUEUE_*); unset ones keep the queue's defaults.
   */
  public static class DurableRedis extends RedisTrust {
    /** The Redis server, e.g. redis://:password@host:6379/0 (BROADCAST_QUEUE_REDIS_URL, else REDIS_URL). */
    private String url;
    /** The start of every key; one queue per prefix (default broadcasting:queue). */
    private String prefix;
    /** Streams the channels are spread over; the same in every process (default 8). */
    private Integer partitions;
    /** Undelivered events one partition holds before broadcast() is refused (default 100000). */
    private Long maxLength;
    /** About how many failed events are kept, the oldest trimmed first (default 100000). */
    private Long failedMaxLength;
    /** How long a dead worker keeps its partitions (default 10s). */
    private Duration leaseTtl;
    /** How long an unacknowledged event waits before another worker claims it (default half the lease). */
    private Duration claimIdle;
    /** Whether this process runs workers; false for a process that only broadcasts (default true). */
    private Boolean workers;
    /** How long one Redis command may take, the write in broadcast() included (default 5s). */
    private Duration commandTimeout;
    /** Entries a worker reads at once (default 256). */
    private Integer readCount;
    /** How long a worker waits after a read that found fewer entries than asked, so they gather (default 2ms). */
    private Duration readLinger;
    /** Entries this process's workers hold at once; keep it below the queue capacity (default 1000). */
    private Integer maxInHand;
    /** Outcomes this producer waits for at once (default 100000). */
    private Integer trackLimit;

    /** Each property, its environment name (which the queue's provider reads) and its value. */
    private static final List<Setting<DurableRedis>> SETTINGS = List.of(
        new Setting<>("url", "BROADCAST_QUEUE_REDIS_URL", DurableRedis::getUrl),
        new Setting<>("prefix", "BROADCAST_QUEUE_PREFIX", DurableRedis::getPrefix),
        new Setting<>("partitions", "BROADCAST_QUEUE_PARTITIONS", DurableRedis::getPartitions),
        new Setting<>("max-length", "BROADCAST_QUEUE_MAX_LENGTH", DurableRedis::getMaxLength),
        new Setting<>("failed-max-length", "BROADCAST_QUEUE_FAILED_MAX_LENGTH", DurableRedis::getFailedMaxLength),
        new Setting<>("lease-ttl", "BROADCAST_QUEUE_LEASE_TTL", DurableRedis::getLeaseTtl),
        new Setting<>("claim-idle", "BROADCAST_QUEUE_CLAIM_IDLE", DurableRedis::getClaimIdle),
        new Setting<>("workers", "BROADCAST_QUEUE_WORKERS", DurableRedis::getWorkers),
        new Setting<>("command-timeout", "BROADCAST_QUEUE_REDIS_TIMEOUT", DurableRedis::getCommandTimeout),
        new Setting<>("read-count", "BROADCAST_QUEUE_READ_COUNT", DurableRedis::getReadCount),
        new Setting<>("read-linger", "BROADCAST_QUEUE_READ_LINGER", DurableRedis::getReadLinger),
        new Setting<>("max-in-hand", "BROADCAST_QUEUE_MAX_IN_HAND", DurableRedis::getMaxInHand),
        new Setting<>("track-limit", "BROADCAST_QUEUE_TRACK_LIMIT", DurableRedis::getTrackLimit),
        new Setting<>("ca-file", "BROADCAST_QUEUE_REDIS_CA_FILE", DurableRedis::getCaFile),
        new Setting<>("trust-store", "BROADCAST_QUEUE_REDIS_TRUST_STORE", DurableRedis::getTrustStore),
        new Setting<>("trust-store-password", "BROADCAST_QUEUE_REDIS_TRUST_STORE_PASSWORD",
            DurableRedis::getTrustStorePassword));

    /** These settings by their environment names, for the queue's provider. */
    void putInto(Map<String, String> values) {
      putAll(values, SETTINGS, this);
    }

    /** The queue's {@code message}, each environment name in it shown with its property's name. */
    static String inPropertyTerms(String message) {
      return BroadcastingProperties.inPropertyTerms(message, "broadcasting.queue.redis", SETTINGS);
    }

    public String getUrl() {
      return url;
    }

    public void setUrl(String url) {
      this.url = url;
    }

    public String getPrefix() {
      return prefix;
    }

    public void setPrefix(String prefix) {
      this.prefix = prefix;
    }

    public Integer getPartitions() {
      return partitions;
    }

    public void setPartitions(Integer partitions) {
      this.partitions = partitions;
    }

    public Long getMaxLength() {
      return maxLength;
    }

    public void setMaxLength(Long maxLength) {
      this.maxLength = maxLength;
    }

    public Long getFailedMaxLength() {
      return failedMaxLength;
    }

    public void setFailedMaxLength(Long failedMaxLength) {
      this.failedMaxLength = failedMaxLength;
    }

    public Duration getLeaseTtl() {
      return leaseTtl;
    }

    public void setLeaseTtl(Duration leaseTtl) {
      this.leaseTtl = leaseTtl;
    }

    public Duration getClaimIdle() {
      return claimIdle;
    }

    public void setClaimIdle(Duration claimIdle) {
      this.claimIdle = claimIdle;
    }

    public Boolean getWorkers() {
      return workers;
    }

    public void setWorkers(Boolean workers) {
      this.workers = workers;
    }

    public Duration getCommandTimeout() {
      return commandTimeout;
    }

    public void setCommandTimeout(Duration commandTimeout) {
      this.commandTimeout = commandTimeout;
    }

    public Integer getReadCount() {
      return readCount;
    }

    public void setReadCount(Integer readCount) {
      this.readCount = readCount;
    }

    public Duration getReadLinger() {
      return readLinger;
    }

    public void setReadLinger(Duration readLinger) {
      this.readLinger = readLinger;
    }

    public Integer getMaxInHand() {
      return maxInHand;
    }

    public void setMaxInHand(Integer maxInHand) {
      this.maxInHand = maxInHand;
    }

    public Integer getTrackLimit() {
      return trackLimit;
    }

    public void setTrackLimit(Integer trackLimit) {
      this.trackLimit = trackLimit;
    }

  }

  /** How failed driver calls are retried. Unset values keep the defaults of RetryPolicy. */
  public static class Retry {
    /** Attempts in all, the first included. */
    private Integer maxAttempts;
    /** The delay after the first failure; it doubles after each. */
    private Duration baseDelay;
    /** The longest delay between two attempts. */
    private Duration maxDelay;
    /** No attempt starts later than this after broadcast() was called. */
    private Duration deadline;

    public Integer getMaxAttempts() {
      return maxAttempts;
    }

    public void setMaxAttempts(Integer maxAttempts) {
      this.maxAttempts = maxAttempts;
    }

    public Duration getBaseDelay() {
      return baseDelay;
    }

    public void setBaseDelay(Duration baseDelay) {
      this.baseDelay = baseDelay;
    }

    public Duration getMaxDelay() {
      return maxDelay;
    }

    public void setMaxDelay(Duration maxDelay) {
      this.maxDelay = maxDelay;
    }

    public Duration getDeadline() {
      return deadline;
    }

    public void setDeadline(Duration deadline) {
      this.deadline = deadline;
    }
  }

  /** The auth endpoints that pusher-js and Laravel Echo call. */
  public static class Auth {
    /** Whether to serve the endpoints in a Spring MVC or WebFlux application. */
    private boolean enabled = true;
    /** The channel authorization endpoint (Echo's authEndpoint). */
    private String path = "/broadcasting/auth";
    /** The user sign-in endpoint (pusher-js userAuthentication.endpoint). */
    private String userPath = "/broadcasting/user-auth";

    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    public String getPath() {
      return path;
    }

    public void setPath(String path) {
      this.path = path;
    }

    public String getUserPath() {
      return userPath;
    }

    public void setUserPath(String userPath) {
      this.userPath = userPath;
    }
  }

  /** The embedded Pusher-protocol server, served by the in-process {@code server} driver. */
  public static class Server {
    /** Whether to start the embedded server and add its connection. */
    private boolean enabled;
    /** The name of the connection that publishes into it. */
    private String connection = "server";
    /** BROADCAST_SERVER_HOST: the address to bind; 0.0.0.0 for every interface. */
    private String host;
    /** BROADCAST_SERVER_PORT: 0 picks a free port. */
    private Integer port;
    /** PUSHER_APP_ID of the app the server serves. */
    private String appId;
    /** PUSHER_APP_KEY that clients connect with. */
    private String key;
    /** PUSHER_APP_SECRET that signs auth answers and API requests. */
    private String secret;
    /** BROADCAST_SERVER_ALLOWED_ORIGINS: browser origins allowed to connect; empty allows any. */
    private List<String> allowedOrigins;
    /** BROADCAST_SERVER_WEBHOOK_URL. */
    private String webhookUrl;
    /**
     * The channels that keep history for recovery, first match wins, each with channels (a pattern,
     * * for any run of characters), max-events and ttl; set, they replace BROADCAST_SERVER_HISTORY.
     * None by default: no recovery.
     */
    private List<History> history = new ArrayList<>();
    /** BROADCAST_SERVER_MAX_HISTORY_CHANNELS: channels whose history is kept in memory (default 10000). */
    private Integer maxHistoryChannels;
    private final Backplane backplane = new Backplane();

    public Backplane getBackplane() {
      return backplane;
    }

    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    public String getConnection() {
      return connection;
    }

    public void setConnection(String connection) {
      this.connection = connection;
    }

    public String getHost() {
      return host;
    }

    public void setHost(String host) {
      this.host = host;
    }

    public Integer getPort() {
      return port;
    }

    public void setPort(Integer port) {
      this.port = port;
    }

    public String getAppId() {
      return appId;
    }

    public void setAppId(String appId) {
      this.appId = appId;
    }

    public String getKey() {
      return key;
    }

    public void setKey(String key) {
      this.key = key;
    }

    public String getSecret() {
      return secret;
    }

    public void setSecret(String secret) {
      this.secret = secret;
    }

    public List<String> getAllowedOrigins() {
      return allowedOrigins;
    }

    public void setAllowedOrigins(List<String> allowedOrigins) {
      this.allowedOrigins = allowedOrigins;
    }

    public String getWebhookUrl() {
      return webhookUrl;
    }

    public void setWebhookUrl(String webhookUrl) {
      this.webhookUrl = webhookUrl;
    }

    public List<History> getHistory() {
      return history;
    }

    public void setHistory(List<History> history) {
      this.history = history;
    }

    public Integer getMaxHistoryChannels() {
      return maxHistoryChannels;
    }

    public void setMaxHistoryChannels(Integer maxHistoryChannels) {
      this.maxHistoryChannels = maxHistoryChannels;
    }

    Map<String, String> laravelSettings() {
      Map<String, String> values = new LinkedHashMap<>();
      put(values, "BROADCAST_SERVER_HOST", host);
      put(values, "BROADCAST_SERVER_PORT", port);
      put(values, "PUSHER_APP_ID", appId);
      put(values, "PUSHER_APP_KEY", key);
      put(values, "PUSHER_APP_SECRET", secret);
      put(values, "BROADCAST_SERVER_ALLOWED_ORIGINS", allowedOrigins == null ? null
          : String.join(",", allowedOrigins));
      put(values, "BROADCAST_SERVER_WEBHOOK_URL", webhookUrl);
      put(values, "BROADCAST_SERVER_MAX_HISTORY_CHANNELS", maxHistoryChannels);
      return values;
    }

    /**
     * One history rule: {@code broadcasting.server.history[0].channels=presence-chat},
     * {@code .max-events=100}, {@code .ttl=2m} keep the last 100 events of presence-chat for 2 minutes.
     */
    public static class History {
      /** The channels, a pattern in which * matches any run of characters, e.g. private-user.*. */
      private String channels;
      /** The last events kept per channel, 1 to 100000. */
      private Integer maxEvents;
      /** How long an event is kept, e.g. 2m. */
      private Duration ttl;

      public String getChannels() {
        return channels;
      }

      public void setChannels(String channels) {
        this.channels = channels;
      }

      public Integer getMaxEvents() {
        return maxEvents;
      }

      public void setMaxEvents(Integer maxEvents) {
        this.maxEvents = maxEvents;
      }

      public Duration getTtl() {
        return ttl;
      }

      public void setTtl(Duration ttl) {
        this.ttl = ttl;
      }
    }

    /** The cluster the server is one node of, through broadcasting-server-redis. */
    public static class Backplane {
      /**
       * The Redis all nodes share (redis://, rediss://, redis-sentinel://): set, the server is one node
       * of a cluster. Needs broadcasting-server-redis on the class path.
       */
      private String url;
      /** How long a node that stopped answering stays a member (default 20s, at least 1s). */
      private Duration lease;
      /** This node's id, unique in the cluster (default: host name, process id and a random number). */
      private String nodeId;
      /** The start of every Redis key and channel name the cluster uses (default broadcasting:server:). */
      private String keyPrefix;

      public String getUrl() {
        return url;
      }

      public void setUrl(String url) {
        this.url = url;
      }

      public Duration getLease() {
        return lease;
      }

      public void setLease(Duration lease) {
        this.lease = lease;
      }

      public String getNodeId() {
        return nodeId;
      }

      public void setNodeId(String nodeId) {
        this.nodeId = nodeId;
      }

      public String getKeyPrefix() {
        return keyPrefix;
      }

      public void setKeyPrefix(String keyPrefix) {
        this.keyPrefix = keyPrefix;
      }
    }
  }
}
