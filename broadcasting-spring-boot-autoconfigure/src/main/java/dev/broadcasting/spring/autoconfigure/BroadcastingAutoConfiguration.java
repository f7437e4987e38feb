package dev.broadcasting.spring.autoconfigure;

import dev.broadcasting.BroadcastListener;
import dev.broadcasting.Broadcaster;
import dev.broadcasting.ChannelAuthorizer;
import dev.broadcasting.spi.BroadcastQueue;
import dev.broadcasting.spring.BroadcasterCustomizer;
import dev.broadcasting.spring.internal.ChannelCallbackRegistrar;
import java.security.Principal;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * The {@link Broadcaster} from the {@code broadcasting.*} properties and Laravel's environment
 * names, the {@link ChannelAuthorizer} that signs in its default connection's protocol, and the
 * registration of {@code @BroadcastChannel} methods. A bean of your own of either type wins.
 */
@AutoConfiguration
@ConditionalOnClass(Broadcaster.class)
@EnableConfigurationProperties(BroadcastingProperties.class)
public class BroadcastingAutoConfiguration {

  @Bean
  @ConditionalOnMissingBean
  Broadcaster broadcaster(BroadcastingProperties properties, Environment environment,
      ObjectProvider<BroadcasterContribution> contributions, ObjectProvider<BroadcasterCustomizer> customizers,
      ObjectProvider<BroadcastListener> listeners, ObjectProvider<BroadcastQueue> durableQueue) {
    List<BroadcasterContribution> parts = contributions.orderedStream().toList();
    Broadcaster broadcaster = new BroadcasterFactory(properties, LaravelEnvironment.read(environment))
        .build(parts, listeners.orderedStream().toList(), durableQueue.getIfAvailable(),
            builder -> customizers.orderedStream().forEach(customizer -> customizer.customize(builder)));
    parts.forEach(part -> part.built(broadcaster));
    return broadcaster;
  }

  /**
   * The durable queue, when {@code broadcasting.queue.store} (or {@code BROADCAST_QUEUE}) names
   * one: a bean, so that the application can list and retry failed events and read its depth.
   * The broadcaster closes it after draining.
   */
  @Bean
  @ConditionalOnMissingBean
  @ConditionalOnExpression("!{'memory', ''}.contains('${broadcasting.queue.store:${BROADCAST_QUEUE:memory}}')")
  BroadcastQueue broadcastQueue(BroadcastingProperties properties, Environment environment) {
    return new BroadcasterFactory(properties, LaravelEnvironment.read(environment)).durableQueue();
  }

  @Bean
  @ConditionalOnMissingBean
  ChannelAuthorizer<Principal> channelAuthorizer(Broadcaster broadcaster) {
    return ChannelAuthorizer.create(broadcaster);
  }

  @Bean
  static ChannelCallbackRegistrar broadcastChannelRegistrar(ObjectProvider<ChannelAuthorizer<Principal>> authorizer) {
    return new ChannelCallbackRegistrar(authorizer);
  }
}
