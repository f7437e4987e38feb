package dev.broadcasting.spring.autoconfigure;

import dev.broadcasting.BroadcastException;
import dev.broadcasting.server.BroadcastServer;
import dev.broadcasting.server.internal.ServerSettingsReader;
import dev.broadcasting.spi.DriverSettings;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * With {@code broadcasting.server.enabled=true}, starts the embedded Pusher-protocol server and
 * adds the connection that publishes into it in process ({@code server} by default). The server
 * reads the same settings as the {@code server} driver: {@code broadcasting.server.*}, else
 * {@code PUSHER_APP_ID}, {@code PUSHER_APP_KEY}, {@code PUSHER_APP_SECRET}, {@code BROADCAST_SERVER_*}.
 * The broadcaster is closed first and the server after it, so queued events still reach it.
 */
@AutoConfiguration(before = BroadcastingAutoConfiguration.class)
@ConditionalOnClass(BroadcastServer.class)
@ConditionalOnBooleanProperty("broadcasting.server.enabled")
@EnableConfigurationProperties(BroadcastingProperties.class)
public class BroadcastingServerAutoConfiguration {

  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  BroadcastServer broadcastServer(BroadcastingProperties properties, Environment environment) {
    Map<String, String> settings = new LinkedHashMap<>(LaravelEnvironment.read(environment));
    settings.putAll(properties.getServer().laravelSettings());
    try {
      return ServerSettingsReader.read(DriverSettings.of(settings)).build().start();
    } catch (BroadcastException e) {
      throw new IllegalStateException("broadcasting.server.enabled is true, but the server cannot start: "
          + e.getMessage() + " (broadcasting.server.app-id, .key and .secret set PUSHER_APP_ID, PUSHER_APP_KEY and "
          + "PUSHER_APP_SECRET)", e);
    }
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
}
