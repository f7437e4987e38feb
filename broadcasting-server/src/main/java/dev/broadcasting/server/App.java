package dev.broadcasting.server;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One Pusher app served by a {@link BroadcastServer}: the id, key and secret that clients and
 * server SDKs use, its limits, the origins it accepts, and where its webhooks go. The defaults are
 * Pusher's own limits.
 *
 * <pre>{@code
 * App app = App.builder("1", "app-key", "app-secret")
 *     .allowedOrigins("https://example.com")
 *     .maxPresenceMembers(200)
 *     .webhook(URI.create("https://example.com/pusher/webhooks"))
 *     .build();
 * }</pre>
 *
 * <p>{@link #toString()} shows the id and key, never the secret.
 */
public final class App {
  /** The webhook events Pusher defines; an app sends those it is configured for. */
  public enum WebhookEvent {
    CHANNEL_OCCUPIED, CHANNEL_VACATED, MEMBER_ADDED, MEMBER_REMOVED, CLIENT_EVENT,
    /** A subscriber to a cache channel found no event cached: the app may publish the state now. */
    CACHE_MISS;

    /** The name in the webhook body, e.g. {@code channel_occupied}. */
    public String wireName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  private static final Pattern ID_OR_KEY = Pattern.compile("[-a-zA-Z0-9_.]+");

  private final String id;
  private final String key;
  private final String secret;
  private final int maxConnections;
  private final boolean clientEvents;
  private final int clientEventsPerSecond;
  private final int maxPresenceMembers;
  private final int maxPresenceMemberInfoBytes;
  private final int maxEventPayloadBytes;
  private final int maxChannelsPerEvent;
  private final int maxBatchSize;
  private final int maxChannelsPerConnection;
  private final int maxCacheChannels;
  private final WebhookPolicy webhookPolicy;
  private final List<String> allowedOrigins;
  private final List<URI> webhooks;
  private final Set<WebhookEvent> webhookEvents;
  private final List<HistoryRule> historyRules;
  private final int maxHistoryChannels;

  private App(Builder b) {
    this.id = b.id;
    this.key = b.key;
    this.secret = b.secret;
    this.maxConnections = b.maxConnections;
    this.clientEvents = b.clientEvents;
    this.clientEventsPerSecond = b.clientEventsPerSecond;
    this.maxPresenceMembers = b.maxPresenceMembers;
    this.maxPresenceMemberInfoBytes = b.maxPresenceMemberInfoBytes;
    this.maxEventPayloadBytes = b.maxEventPayloadBytes;
    this.maxChannelsPerEvent = b.maxChannelsPerEvent;
    this.maxBatchSize = b.maxBatchSize;
    this.maxChannelsPerConnection = b.maxChannelsPerConnection;
    this.maxCacheChannels = b.maxCacheChannels;
    this.webhookPolicy = new WebhookPolicy(b.webhookBatchEvents, b.webhookBatchWindow, b.webhookConcurrency,
        b.webhookRetryFor, b.webhookBacklogBytes);
    this.allowedOrigins = List.copyOf(b.allowedOrigins);
    this.webhooks = List.copyOf(b.webhooks);
    this.webhookEvents = Set.copyOf(b.webhookEvents);
    this.historyRules = List.copyOf(b.historyRules);
    this.maxHistoryChannels = b.maxHistoryChannels;
  }

  /** The channels that keep history for recovery, first match wins; empty when recovery is off. */
  public List<HistoryRule> historyRules() {
    return historyRules;
  }

  /** History channels kept in memory at most; past it, the channel used longest ago is forgotten. */
  public int maxHistoryChannels() {
    return maxHistoryChannels;
  }

  /**
   * Starts an app.
   *
   * @param id the app id in HTTP API paths ({@code /apps/{id}/events}), e.g. {@code PUSHER_APP_ID}
   * @param key the public key clients connect with ({@code /app/{key}}), e.g. {@code PUSHER_APP_KEY}
   * @param secret the secret that signs channel auth, API requests and webhooks
   */
  public static Builder builder(String id, String key, String secret) {
    return new Builder(id, key, secret);
  }

  public String id() {
    return id;
  }

  public String key() {
    return key;
  }

  /** The secret: for signing and verifying only, never for a log line. */
  public String secret() {
    return secret;
  }

  /** Concurrent WebSocket connections allowed, or 0 for no limit. */
  public int maxConnections() {
    return maxConnections;
  }

  public boolean clientEventsEnabled() {
    return clientEvents;
  }

  /** Client events one connection may send per second, or 0 for no limit. */
  public int clientEventsPerSecond() {
    return clientEventsPerSecond;
  }

  /** Distinct users (not connections) allowed on one presence channel. */
  public int maxPresenceMembers() {
    return maxPresenceMembers;
  }

  /** The longest {@code user_info} of a presence member, in UTF-8 bytes of its JSON. */
  public int maxPresenceMemberInfoBytes() {
    return maxPresenceMemberInfoBytes;
  }

  /** The largest event {@code data}, in UTF-8 bytes, from the HTTP API or a client event. */
  public int maxEventPayloadBytes() {
    return maxEventPayloadBytes;
  }

  public int maxChannelsPerEvent() {
    return maxChannelsPerEvent;
  }

  /** Events allowed in one {@code batch_events} request. */
  public int maxBatchSize() {
    return maxBatchSize;
  }

  /** Channels one connection may be subscribed to at once. */
  public int maxChannelsPerConnection() {
    return maxChannelsPerConnection;
  }

  /** Cache channels whose last event is kept; past it, the one written longest ago is forgotten. */
  public int maxCacheChannels() {
    return maxCacheChannels;
  }

  /** How this app's webhooks are batched, sent and retried. */
  public WebhookPolicy webhookPolicy() {
    return webhookPolicy;
  }

  /** The browser origins allowed to connect, or empty for any. {@code *} matches any one label. */
  public List<String> allowedOrigins() {
    return allowedOrigins;
  }

  public List<URI> webhooks() {
    return webhooks;
  }

  public Set<WebhookEvent> webhookEvents() {
    return webhookEvents;
  }

  @Override
  public String toString() {
    return "App{id=" + id + ", key=" + key + "}";
  }

  /** Builds an {@link App}; every setter checks its value at once. */
  public static final class Builder {
    private final String id;
    private final String key;
    private final String secret;
    private int maxConnections;
    private boolean clientEvents = true;
    private int clientEventsPerSecond = 10;
    private int maxPresenceMembers = 100;
    private int maxPresenceMemberInfoBytes = 1024;
    private int maxEventPayloadBytes = 10 * 1024;
    private int maxChannelsPerEvent = 100;
    private int maxBatchSize = 10;
    private int maxChannelsPerConnection = 100;
    private int maxCacheChannels = 10_000;
    private int webhookBatchEvents = 20;
    private Duration webhookBatchWindow = Duration.ofMillis(250);
    private int webhookConcurrency = 2;
    private Duration webhookRetryFor = Duration.ofMinutes(5);
    private int webhookBacklogBytes = 1024 * 1024;
    private final List<String> allowedOrigins = new ArrayList<>();
    private final List<URI> webhooks = new ArrayList<>();
    private final Set<WebhookEvent> webhookEvents = EnumSet.allOf(WebhookEvent.class);
    private final List<HistoryRule> historyRules = new ArrayList<>();
    private int maxHistoryChannels = 10_000;

    private Builder(String id, String key, String secret) {
      this.id = checkIdOrKey("id", id);
      this.key = checkIdOrKey("key", key);
      if (secret == null || secret.isBlank()) {
        throw new IllegalArgumentException("App secret of app " + id + " is blank; pass the secret (PUSHER_APP_SECRET)");
      }
      this.secret = secret;
    }

    public Builder maxConnections(int max) {
      this.maxConnections = atLeast("maxConnections", max, 0);
      return this;
    }

    /** Whether clients may send {@code client-*} events on private and presence channels (default true). */
    public Builder clientEvents(boolean enabled) {
      this.clientEvents = enabled;
      return this;
    }

    /** Client events one connection may send per second (default 10), or 0 for no limit. */
    public Builder clientEventsPerSecond(int perSecond) {
      this.clientEventsPerSecond = atLeast("clientEventsPerSecond", perSecond, 0);
      return this;
    }

    public Builder maxPresenceMembers(int max) {
      this.maxPresenceMembers = atLeast("maxPresenceMembers", max, 1);
      return this;
    }

    public Builder maxPresenceMemberInfoBytes(int max) {
      this.maxPresenceMemberInfoBytes = atLeast("maxPresenceMemberInfoBytes", max, 2);
      return this;
    }

    public Builder maxEventPayloadBytes(int max) {
      this.maxEventPayloadBytes = atLeast("maxEventPayloadBytes", max, 1);
      return this;
    }

    public Builder maxChannelsPerEvent(int max) {
      this.maxChannelsPerEvent = atLeast("maxChannelsPerEvent", max, 1);
      return this;
    }

    public Builder maxBatchSize(int max) {
      this.maxBatchSize = atLeast("maxBatchSize", max, 1);
      return this;
    }

    /**
     * Channels one connection may be subscribed to at once (default 100); a subscription past it
     * is answered with {@code pusher:subscription_error} status 403.
     */
    public Builder maxChannelsPerConnection(int max) {
      this.maxChannelsPerConnection = atLeast("maxChannelsPerConnection", max, 1);
      return this;
    }

    /**
     * Cache channels whose last event the server keeps (default 10,000). Past it, the channel
     * written longest ago is forgotten, and its next subscriber gets {@code pusher:cache_miss}.
     */
    public Builder maxCacheChannels(int max) {
      this.maxCacheChannels = atLeast("maxCacheChannels", max, 1);
      return this;
    }

    /**
     * Webhook events go out together, up to {@code maxEvents} in one request (default 20), sent
     * once that many wait or the oldest has waited {@code window} (default 250 ms).
     */
    public Builder webhookBatch(int maxEvents, Duration window) {
      this.webhookBatchEvents = atLeast("webhookBatch maxEvents", maxEvents, 1);
      Objects.requireNonNull(window, "webhookBatch window");
      if (window.isNegative() || window.compareTo(Duration.ofSeconds(10)) > 0) {
        throw new IllegalArgumentException("webhookBatch window must be between 0 and 10 s but was " + window);
      }
      this.webhookBatchWindow = window;
      return this;
    }

    /**
     * Webhook requests in flight at once to each webhook URL (default 2), which is also the number
     * of connections the server keeps open to it.
     */
    public Builder webhookConcurrency(int requests) {
      if (requests < 1 || requests > 64) {
        throw new IllegalArgumentException("webhookConcurrency must be between 1 and 64 but was " + requests);
      }
      this.webhookConcurrency = requests;
      return this;
    }

    /**
     * How long a webhook request that fails is retried, with exponential back-off from 1 s to
     * 60 s between attempts (default 5 minutes); after that its events are dropped and logged.
     */
    public Builder webhookRetryFor(Duration duration) {
      Objects.requireNonNull(duration, "webhookRetryFor");
      if (duration.isNegative()) {
        throw new IllegalArgumentException("webhookRetryFor must not be negative but was " + duration);
      }
      this.webhookRetryFor = duration;
      return this;
    }

    /**
     * The bytes of webhook events that may wait for delivery per webhook URL (default 1 MiB).
     * Past it, the oldest waiting events are dropped, counted, and logged at most once a minute.
     */
    public Builder webhookBacklogBytes(int bytes) {
      this.webhookBacklogBytes = atLeast("webhookBacklogBytes", bytes, 1024);
      return this;
    }

    /**
     * The browser origins allowed to connect, such as {@code https://example.com} or
     * {@code https://*.example.com}. Connections from other origins are refused with 4009. Without
     * any, every origin is allowed.
     */
    public Builder allowedOrigins(String... origins) {
      for (String origin : origins) {
        if (origin == null || origin.isBlank() || origin.endsWith("/")) {
          throw new IllegalArgumentException("Allowed origin \"" + origin
              + "\" is invalid: write scheme://host[:port] without a path, e.g. https://example.com");
        }
        allowedOrigins.add(origin.trim());
      }
      return this;
    }

    /** Adds a URL that receives this app's webhooks, signed as Pusher signs them. */
    public Builder webhook(URI url) {
      Objects.requireNonNull(url, "webhook url");
      if (!"http".equals(url.getScheme()) && !"https".equals(url.getScheme())) {
        throw new IllegalArgumentException("Webhook URL " + url + " must be http or https");
      }
      webhooks.add(url);
      return this;
    }

    /** The webhook events to send (default: all of them). */
    public Builder webhookEvents(Set<WebhookEvent> events) {
      if (events.isEmpty()) {
        throw new IllegalArgumentException("webhookEvents is empty; to send no webhooks, add no webhook URL");
      }
      webhookEvents.clear();
      webhookEvents.addAll(events);
      return this;
    }

    /**
     * Keeps the last {@code maxEvents} events, none older than {@code timeToLive}, of the channels
     * matching {@code channelPattern} ({@code *} for any run of characters), so that clients that
     * resubscribe with their last position get what they missed. Rules are tried in the order added.
     */
    public Builder history(String channelPattern, int maxEvents, Duration timeToLive) {
      HistoryRule rule = new HistoryRule(channelPattern, maxEvents, timeToLive);
      if (historyRules.stream().anyMatch(r -> r.channelPattern().equals(channelPattern))) {
        throw new IllegalArgumentException("History pattern " + channelPattern + " was added twice; keep one rule");
      }
      historyRules.add(rule);
      return this;
    }

    /** History channels kept in memory at most (default 10,000); the one used longest ago goes first. */
    public Builder maxHistoryChannels(int max) {
      this.maxHistoryChannels = atLeast("maxHistoryChannels", max, 1);
      return this;
    }

    public App build() {
      return new App(this);
    }

    private static String checkIdOrKey(String what, String value) {
      if (value == null || !ID_OR_KEY.matcher(value).matches()) {
        throw new IllegalArgumentException("App " + what + " \"" + value + "\" is invalid: use letters, digits, "
            + "'-', '_' and '.' only, as it appears in URLs");
      }
      return value;
    }

    private static int atLeast(String name, int value, int min) {
      if (value < min) {
        throw new IllegalArgumentException(name + " must be at least " + min + " but was " + value);
      }
      return value;
    }
  }
}
