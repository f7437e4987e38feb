package dev.broadcasting.spring.autoconfigure;

import dev.broadcasting.Broadcaster;
import dev.broadcasting.spring.internal.BroadcastingHealthIndicator;
import dev.broadcasting.spring.internal.HealthDetails;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.util.ClassUtils;

/**
 * The {@code broadcasting} health indicator, with Spring Boot's health support on the class path
 * ({@code management.health.broadcasting.enabled=false} leaves it out).
 */
@AutoConfiguration(after = {BroadcastingAutoConfiguration.class, BroadcastingServerAutoConfiguration.class,
    BroadcastingObservabilityAutoConfiguration.class})
@ConditionalOnClass(HealthIndicator.class)
@ConditionalOnEnabledHealthIndicator("broadcasting")
public class BroadcastingHealthAutoConfiguration {
  private static final ClassLoader LOADER = BroadcastingHealthAutoConfiguration.class.getClassLoader();

  @Bean
  @ConditionalOnBean(Broadcaster.class)
  @ConditionalOnMissingBean(name = "broadcastingHealthIndicator")
  BroadcastingHealthIndicator broadcastingHealthIndicator(Broadcaster broadcaster, BeanFactory beans) {
    Object observability = bean(beans, "dev.broadcasting.micrometer.BroadcastObservability");
    Object server = bean(beans, "dev.broadcasting.server.BroadcastServer");
    return new BroadcastingHealthIndicator(broadcaster,
        observability == null ? null : HealthDetails.Connections.of(observability),
        server == null ? null : HealthDetails.Server.of(server));
  }

  private static Object bean(BeanFactory beans, String className) {
    if (!ClassUtils.isPresent(className, LOADER)) {
      return null;
    }
    return beans.getBeanProvider(ClassUtils.resolveClassName(className, LOADER)).getIfAvailable();
  }
}
