package dev.broadcasting.spring.autoconfigure;

import dev.broadcasting.BroadcastListener;
import dev.broadcasting.Broadcaster;
import dev.broadcasting.micrometer.BroadcastObservability;
import dev.broadcasting.micrometer.BroadcastServerMetrics;
import dev.broadcasting.server.BroadcastServer;
import dev.broadcasting.spi.BroadcastDriver;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Meters and observations for the auto-configured broadcaster, when broadcasting-micrometer is
 * on the class path: every driver observed ({@code broadcasting.publish}: a timer with Spring
 * Boot's meter handler, a span with its tracing), the listener that counts retries and failures
 * and carries the trace across the queue, and the queue-depth gauge. Uses the application's
 * {@link MeterRegistry} and {@link ObservationRegistry}; without a meter registry the meters are
 * kept in one of their own, and the observations still reach the tracing handlers.
 */
@AutoConfiguration(before = BroadcastingAutoConfiguration.class, after = BroadcastingServerAutoConfiguration.class)
@ConditionalOnClass({BroadcastObservability.class, MeterRegistry.class})
public class BroadcastingObservabilityAutoConfiguration {

  @Bean
  @ConditionalOnMissingBean
  BroadcastObservability broadcastObservability(ObjectProvider<MeterRegistry> meters,
      ObjectProvider<ObservationRegistry> observations) {
    MeterRegistry registry = meters.getIfUnique(SimpleMeterRegistry::new);
    ObservationRegistry observationRegistry = observations.getIfUnique();
    return observationRegistry != null ? BroadcastObservability.create(registry, observationRegistry)
        : BroadcastObservability.create(registry);
  }

  @Bean
  BroadcasterContribution broadcastObservabilityContribution(BroadcastObservability observability) {
    return new BroadcasterContribution() {
      @Override
      public BroadcastDriver wrap(String connection, String driverName, BroadcastDriver driver) {
        return observability.observe(connection, driverName, driver);
      }

      @Override
      public BroadcastListener listener() {
        return observability.listener();
      }

      @Override
      public void built(Broadcaster broadcaster) {
        observability.bindTo(broadcaster);
      }
    };
  }

  /** The embedded server's meters, bound by Spring Boot's metrics support as every {@code MeterBinder} bean is. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(BroadcastServer.class)
  static class ServerMeters {
    @Bean
    @ConditionalOnBean(BroadcastServer.class)
    @ConditionalOnMissingBean
    BroadcastServerMetrics broadcastServerMetrics(BroadcastServer server) {
      return new BroadcastServerMetrics(server);
    }
  }
}
