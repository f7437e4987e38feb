package dev.broadcasting.server.internal;

import dev.broadcasting.BroadcastException;
import dev.broadcasting.server.App;
import dev.broadcasting.server.BroadcastServer;
import dev.broadcasting.server.WebhookPolicy;
import dev.broadcasting.server.spi.Backplane;
import dev.broadcasting.server.spi.BackplaneProvider;
import dev.broadcasting.spi.DriverSettings;
import java.net.URI;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;

/**
 * Builds a server from settings, for the {@code server} driver, the standalone main and its
 * configuration file. Every setting has one name, such as {@code max-connections}; it is the flag
 * ({@code --max-connections}), the key in the configuration file, and the variable
 * ({@code BROADCAST_SERVER_MAX_CONNECTIONS}; {@code PUSHER_APP_ID}, {@code _KEY}, {@code _SECRET}
 * for the app's id, key and secret):
 *
 * <pre>{@code
 * BroadcastServer.Builder server = ServerSettingsReader.read(DriverSettings.of(Map.of(
 *     "PUSHER_APP_ID", "1", "PUSHER_APP_KEY", "app-key", "PUSHER_APP_SECRET", "app-secret")));
 * }</pre>
 */
public final class ServerSettingsReader {
  /** The server's own settings, the same for every app. */
  public static final List<String> SERVER_SETTINGS = List.of(
      "host", "port", "tls-cert", "tls-key", "max-message-size", "max-request-size", "activity-timeout",
      "pong-timeout", "max-outbound-buffer-size", "backplane", "backplane-lease", "backplane-node-id", "dashboard",
      "dashboard-user", "dashboard-password",
      // slow and crowded connections
      "first-bytes-timeout", "request-headers-timeout", "request-body-timeout", "keep-alive-timeout",
      "max-opening-connections-per-address", "trusted-proxies");
  /** One app's settings: in the configuration file, {@code id}, {@code key} and {@code secret} drop the prefix. */
  public static final List<String> APP_SETTINGS = List.of(
      "app-id", "app-key", "app-secret", "allowed-origins", "webhook-url", "webhook-events", "max-connections",
      "client-events", "client-events-per-second", "max-presence-members", "max-presence-member-info-bytes",
      "max-event-payload-bytes", "max-channels-per-event", "max-batch-size",
      // channels held and webhook delivery
      "max-channels-per-connection", "max-cache-channels", "webhook-batch-events", "webhook-batch-window",
      "webhook-concurrency", "webhook-retry-for", "webhook-backlog-bytes",
      // recovery
      "history", "max-history-channels");
  /** The webhook policy of an app that sets none, which {@link App} decides. */
  private static final WebhookPolicy DEFAULT_WEBHOOKS =
      App.builder("default", "default", "default").build().webhookPolicy();

  private ServerSettingsReader() {}

  /** A one-app server from variables: {@code PUSHER_APP_*} and {@code BROADCAST_SERVER_*}. */
  public static BroadcastServer.Builder read(DriverSettings settings) {
    return read(settings, List.of());
  }

  /** As {@link #read(DriverSettings)}, the app keeping history by {@code BROADCAST_SERVER_HISTORY}, then by {@code history}. */
  public static BroadcastServer.Builder read(DriverSettings settings, List<HistoryRuleSetting> history) {
    return server(settings, ServerSettingsReader::variable)
        .app(app(settings, ServerSettingsReader::variable, history));
  }

  /** The environment variable of a setting: {@code max-connections} is {@code BROADCAST_SERVER_MAX_CONNECTIONS}. */
  public static String variable(String setting) {
    if (setting.startsWith("app-")) {
      return "PUSHER_APP_" + setting.substring(4).toUpperCase(Locale.ROOT);
    }
    return "BROADCAST_SERVER_" + setting.toUpperCase(Locale.ROOT).replace('-', '_');
  }

  /**
   * The builder method of a setting, as the builders' own errors name it: {@code max-connections}
   * is {@code maxConnections}. Callers put the name the user wrote in its place.
   */
  public static String builderMethod(String setting) {
    StringBuilder camel = new StringBuilder();
    for (String word : setting.split("-")) {
      camel.append(camel.length() == 0 ? word : Character.toUpperCase(word.charAt(0)) + word.substring(1));
    }
    return camel.toString();
  }

  /** The server without apps; {@code name} maps a setting to the key it is read under. */
  static BroadcastServer.Builder server(DriverSettings settings, UnaryOperator<String> name) {
    try {
      BroadcastServer.Builder server = BroadcastServer.builder();
      ifSet(settings, name.apply("host"), key -> server.host(settings.get(key)));
      ifSet(settings, name.apply("port"), key -> server.port(settings.getInt(key, 0)));
      ifSet(settings, name.apply("max-message-size"), key -> server.maxMessageSize(settings.getInt(key, 0)));
      ifSet(settings, name.apply("max-request-size"), key -> server.maxRequestSize(settings.getInt(key, 0)));
      ifSet(settings, name.apply("activity-timeout"), key -> server.activityTimeout(settings.getDuration(key, null)));
      ifSet(settings, name.apply("pong-timeout"), key -> server.pongTimeout(settings.getDuration(key, null)));
      ifSet(settings, name.apply("max-outbound-buffer-size"),
          key -> server.maxOutboundBufferSize(settings.getInt(key, 0)));
      connections(settings, name, server);
      String cert = settings.get(name.apply("tls-cert"));
      String key = settings.get(name.apply("tls-key"));
      if ((cert == null) != (key == null)) {
        throw new BroadcastException("Set both " + name.apply("tls-cert") + " and " + name.apply("tls-key")
            + ", or neither");
      }
      if (cert != null) {
        server.tls(Path.of(cert), Path.of(key));
      }
      dashboard(settings, name, server);
      String backplane = settings.get(name.apply("backplane"));
      if (backplane != null) {
        Map<String, String> options = new HashMap<>();
        for (String option : List.of("lease", "node-id")) {
          String value = settings.get(name.apply("backplane-" + option));
          if (value != null) {
            options.put(option, value);
          }
        }
        server.backplane(backplane(name.apply("backplane"), backplane, DriverSettings.of(options)));
      }
      return server;
    } catch (IllegalArgumentException e) {
      throw invalid(e, SERVER_SETTINGS, name);
    }
  }

  /** The dashboard: on with {@code dashboard=true}, or with an operator user and password (which need each other). */
  private static void dashboard(DriverSettings settings, UnaryOperator<String> name, BroadcastServer.Builder server) {
    String user = settings.get(name.apply("dashboard-user"));
    String password = settings.get(name.apply("dashboard-password"));
    if ((user == null) != (password == null)) {
      throw new BroadcastException("Set both " + name.apply("dashboard-user") + " and "
          + name.apply("dashboard-password") + ", or neither (then the dashboard takes an app's key and secret)");
    }
    if (user != null) {
      server.dashboard(user, password);
    } else if (settings.getBoolean(name.apply("dashboard"), false)) {
      server.dashboard();
    }
  }

  /**
   * One app; {@code name} maps a setting to the key it is read under. Its history rules are those of
   * the {@code history} setting, then {@code history}, in order.
   */
  static App app(DriverSettings settings, UnaryOperator<String> name, List<HistoryRuleSetting> history) {
    try {
      App.Builder app = App.builder(
          settings.require(name.apply("app-id"), "the app id, as in /apps/{id}/events"),
          settings.require(name.apply("app-key"), "the key clients connect with"),
          settings.require(name.apply("app-secret"), "the secret that signs auth and API requests"));
      // unset means the builder's own default, which App documents
      ifSet(settings, name.apply("max-connections"), key -> app.maxConnections(settings.getInt(key, 0)));
      ifSet(settings, name.apply("client-events"), key -> app.clientEvents(settings.getBoolean(key, true)));
      ifSet(settings, name.apply("client-events-per-second"),
          key -> app.clientEventsPerSecond(settings.getInt(key, 0)));
      ifSet(settings, name.apply("max-presence-members"), key -> app.maxPresenceMembers(settings.getInt(key, 0)));
      ifSet(settings, name.apply("max-presence-member-info-bytes"),
          key -> app.maxPresenceMemberInfoBytes(settings.getInt(key, 0)));
      ifSet(settings, name.apply("max-event-payload-bytes"),
          key -> app.maxEventPayloadBytes(settings.getInt(key, 0)));
      ifSet(settings, name.apply("max-channels-per-event"), key -> app.maxChannelsPerEvent(settings.getInt(key, 0)));
      ifSet(settings, name.apply("max-batch-size"), key -> app.maxBatchSize(settings.getInt(key, 0)));
      channelsAndWebhooks(settings, name, app);
      ifSet(settings, name.apply("max-history-channels"), key -> app.maxHistoryChannels(settings.getInt(key, 0)));
      String rules = settings.get(name.apply("history"));
      if (rules != null) {
        HistoryRuleSetting.parse(name.apply("history"), rules).forEach(rule -> rule.addTo(app));
      }
      history.forEach(rule -> rule.addTo(app));
      String origins = settings.get(name.apply("allowed-origins"));
      if (origins != null) {
        app.allowedOrigins(list(origins));
      }
      String webhooks = settings.get(name.apply("webhook-url"));
      if (webhooks != null) {
        for (String url : list(webhooks)) {
          app.webhook(URI.create(url));
        }
      }
      String events = settings.get(name.apply("webhook-events"));
      if (events != null) {
        app.webhookEvents(webhookEvents(name.apply("webhook-events"), events));
      }
      return app.build();
    } catch (IllegalArgumentException e) {
      throw invalid(e, APP_SETTINGS, name);
    }
  }

  /** A builder's error, with the builder method it names replaced by the setting's name as the user wrote it. */
  private static BroadcastException invalid(IllegalArgumentException e, List<String> settings,
      UnaryOperator<String> name) {
    String message = e.getMessage();
    for (String setting : settings) {
      message = message.replaceAll("(?<![-.\\w])" + builderMethod(setting) + " must",
          Matcher.quoteReplacement(name.apply(setting) + " must"));
    }
    return new BroadcastException("Broadcast server settings are invalid: " + message, e);
  }

  /** The deadlines for slow connections, the opening connections per address, and the trusted proxies. */
  private static void connections(DriverSettings settings, UnaryOperator<String> name, BroadcastServer.Builder server) {
    ifSet(settings, name.apply("first-bytes-timeout"), key -> server.firstBytesTimeout(settings.getDuration(key, null)));
    ifSet(settings, name.apply("request-headers-timeout"),
        key -> server.requestHeadersTimeout(settings.getDuration(key, null)));
    ifSet(settings, name.apply("request-body-timeout"),
        key -> server.requestBodyTimeout(settings.getDuration(key, null)));
    ifSet(settings, name.apply("keep-alive-timeout"), key -> server.keepAliveTimeout(settings.getDuration(key, null)));
    ifSet(settings, name.apply("max-opening-connections-per-address"),
        key -> server.maxOpeningConnectionsPerAddress(settings.getInt(key, 0)));
    ifSet(settings, name.apply("trusted-proxies"), key -> {
      try {
        server.trustedProxies(list(settings.get(key)));
      } catch (IllegalArgumentException e) {
        throw new BroadcastException("Setting " + key + " is invalid: " + e.getMessage(), e);
      }
    });
  }

  /** The channels one connection and the cache may hold, and how webhooks are batched, sent and retried. */
  private static void channelsAndWebhooks(DriverSettings settings, UnaryOperator<String> name, App.Builder app) {
    ifSet(settings, name.apply("max-channels-per-connection"),
        key -> app.maxChannelsPerConnection(settings.getInt(key, 0)));
    ifSet(settings, name.apply("max-cache-channels"), key -> app.maxCacheChannels(settings.getInt(key, 0)));
    String events = name.apply("webhook-batch-events");
    String window = name.apply("webhook-batch-window");
    if (settings.get(events) != null || settings.get(window) != null) {
      try {
        app.webhookBatch(settings.getInt(events, DEFAULT_WEBHOOKS.batchEvents()),
            settings.getDuration(window, DEFAULT_WEBHOOKS.batchWindow()));
      } catch (IllegalArgumentException e) {
        // the builder names its two arguments; the user wrote two settings
        throw new IllegalArgumentException(e.getMessage()
            .replace("webhookBatch maxEvents", builderMethod("webhook-batch-events"))
            .replace("webhookBatch window", builderMethod("webhook-batch-window")), e);
      }
    }
    ifSet(settings, name.apply("webhook-concurrency"), key -> app.webhookConcurrency(settings.getInt(key, 0)));
    ifSet(settings, name.apply("webhook-retry-for"), key -> app.webhookRetryFor(settings.getDuration(key, null)));
    ifSet(settings, name.apply("webhook-backlog-bytes"), key -> app.webhookBacklogBytes(settings.getInt(key, 0)));
  }

  /** The backplane that the {@link BackplaneProvider} on the classpath which accepts {@code url} builds. */
  private static Backplane backplane(String name, String url, DriverSettings options) {
    for (BackplaneProvider provider : ServiceLoader.load(BackplaneProvider.class)) {
      if (provider.accepts(url)) {
        return provider.create(url, options);
      }
    }
    throw new BroadcastException("No backplane on the classpath accepts " + name + "="
        + url.replaceAll("//[^@/]*@", "//***@") + "; for redis:// add the dev.broadcasting:broadcasting-server-redis "
        + "artifact");
  }

  private static void ifSet(DriverSettings settings, String key, Consumer<String> apply) {
    if (settings.get(key) != null) {
      apply.accept(key);
    }
  }

  private static String[] list(String commaSeparated) {
    return commaSeparated.strip().split("\\s*,\\s*");
  }

  private static Set<App.WebhookEvent> webhookEvents(String name, String value) {
    Set<App.WebhookEvent> events = EnumSet.noneOf(App.WebhookEvent.class);
    for (String event : list(value)) {
      try {
        events.add(App.WebhookEvent.valueOf(event.toUpperCase(Locale.ROOT)));
      } catch (IllegalArgumentException e) {
        throw new BroadcastException("Setting " + name + " has an unknown event \"" + event + "\"; the events are "
            + EnumSet.allOf(App.WebhookEvent.class).stream().map(App.WebhookEvent::wireName).toList());
      }
    }
    return events;
  }
}
