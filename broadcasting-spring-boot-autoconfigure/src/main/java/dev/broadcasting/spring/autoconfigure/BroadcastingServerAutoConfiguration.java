package dev.broadcasting.spring.autoconfigure;

import dev.broadcasting.BroadcastException;
import dev.broadcasting.server.BroadcastServer;
import dev.broadcasting.server.internal.HistoryRuleSetting;
import dev.broadcasting.server.internal.ServerSettingsReader;
import dev.broadcasting.server.redis.RedisBackplane;
import dev.broadcasting.server.spi.Backplane;
import dev.broadcasting.spi.DriverSettings;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * With {@code broadcasting.server.enabled=true}, starts the embedded Pusher-protocol server and
 * adds the connection that publishes into it in process ({@code server} by default). The server
 * reads the same settings as the {@code server} driver: {@code broadcasting.server.*}, else
 * {@code PUSHER_APP_ID}, {@code PUSHER_APP_KEY}, {@code PUSHER_APP_SECRET}, {@code BROADCAST_SERVER_*}.
 * {@code broadcasting.server.history[N].channels}, {@code .max-events} and {@code .ttl} are the
 * app's history rules for recovery.
 * With {@code broadcasting.server.backplane.url} and broadcasting-server-redis on the class path,
 * or a {@link Backplane} bean of the application's, the server is one node of a cluster.
 * The broadcaster is closed first and the server after it, so queued events still reach it.
 */
@AutoConfiguration(before = BroadcastingAutoConfiguration.class)
@ConditionalOnClass(BroadcastServer.class)
@ConditionalOnBooleanProperty("broadcasting.server.enabled")
@EnableConfigurationProperties(BroadcastingProperties.class)
public class BroadcastingServerAutoConfiguration {

  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  BroadcastServer broadcastServer(BroadcastingProperties properties, Environment environment,
      ObjectProvider<Backplane> backplane) {
    Map<String, String> settings = new LinkedHashMap<>(LaravelEnvironment.read(environment));
    Map<String, String> fromProperties = properties.getServer().laravelSettings();
    settings.putAll(fromProperties);
    List<HistoryRuleSetting> history = history(properties.getServer().getHistory());
    if (!history.isEmpty()) {
      // the properties' rules replace the variable's, as each property wins over its variable
      settings.remove("BROADCAST_SERVER_HISTORY");
    }
    Backplane node = backplane.getIfAvailable();
    if (node == null && properties.getServer().getBackplane().getUrl() != null) {
      throw new IllegalStateException("broadcasting.server.backplane.url is set, but broadcasting-server-redis "
          + "is not on the class path: add the dependency dev.broadcasting:broadcasting-server-redis, or remove "
          + "the property to run one node alone");
    }
    if (node != null) {
      // the bean is the cluster: BROADCAST_SERVER_BACKPLANE must not build a second one
      settings.keySet().removeIf(key -> key.startsWith("BROADCAST_SERVER_BACKPLANE"));
    }
    try {
      BroadcastServer.Builder server = ServerSettingsReader.read(DriverSettings.of(settings), history);
      if (node != null) {
        server.backplane(node);
      }
      return server.build().start();
    } catch (BroadcastException e) {
      throw new IllegalStateException("broadcasting.server.enabled is true, but the server cannot start: "
          + named(e.getMessage(), fromProperties.keySet()) + " (broadcasting.server.app-id, .key and .secret set PUSHER_APP_ID, PUSHER_APP_KEY and "
          + "PUSHER_APP_SECRET)", e);
    }
  }

  /** The typed rules of {@code broadcasting.server.history}, each named by its property in errors. */
  private static List<HistoryRuleSetting> history(List<BroadcastingProperties.Server.History> rules) {
    List<HistoryRuleSetting> settings = new ArrayList<>();
    for (int i = 0; i < rules.size(); i++) {
      BroadcastingProperties.Server.History rule = rules.get(i);
      settings.add(new HistoryRuleSetting("broadcasting.server.history[" + i + "]", rule.getChannels(),
          rule.getMaxEvents() == null ? null : rule.getMaxEvents().toString(),
          rule.getTtl() == null ? null : rule.getTtl().toString()));
    }
    return settings;
  }

  /** The reader's message with each variable that a property set named as that property. */
  private static String named(String message, Set<String> fromProperties) {
    for (String variable : fromProperties) {
      String property = switch (variable) {
        case "PUSHER_APP_ID" -> "app-id";
        case "PUSHER_APP_KEY" -> "key";
        case "PUSHER_APP_SECRET" -> "secret";
        default -> variable.substring("BROADCAST_SERVER_".length()).toLowerCase(Locale.ROOT).replace('_', '-');
      };
      message = message.replaceAll("\\b" + variable + "\\b", "broadcasting.server." + property);
    }
    return message;
  }

  @Bean
  BroadcasterContribution broadcastServerConnection(BroadcastServer server, BroadcastingProperties properties) {
    String appId = server.apps().iterator().next().id();
    String connection = properties.getServer().getConnection();
    return new BroadcasterContribution() {
      @Override
      public Map<String, NamedDriver> connections() {
        return Map.of(connection, new NamedDriver("server", server.driver(appId)));
      }
    };
  }

  /** The Redis cluster of {@code broadcasting.server.backplane.*}; the server closes it. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(RedisBackplane.class)
  @ConditionalOnProperty("broadcasting.server.backplane.url")
  static class RedisBackplaneConfiguration {

    @Bean(destroyMethod = "")
    @ConditionalOnMissingBean(Backplane.class)
    RedisBackplane broadcastServerBackplane(BroadcastingProperties properties) {
      BroadcastingProperties.Server.Backplane settings = properties.getServer().getBackplane();
      try {
        RedisBackplane.Builder builder = RedisBackplane.builder(settings.getUrl());
        if (settings.getLease() != null) {
          builder.lease(settings.getLease());
        }
        if (settings.getNodeId() != null) {
          builder.nodeId(settings.getNodeId());
        }
        if (settings.getKeyPrefix() != null) {
          builder.keyPrefix(settings.getKeyPrefix());
        }
        return builder.build();
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("broadcasting.server.backplane is invalid: " + e.getMessage(), e);
      }
    }
  }
}
