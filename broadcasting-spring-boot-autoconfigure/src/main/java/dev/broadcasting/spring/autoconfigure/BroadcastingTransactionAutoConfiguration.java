package dev.broadcasting.spring.autoconfigure;

import dev.broadcasting.Broadcaster;
import dev.broadcasting.spring.AfterCommitGate;
import dev.broadcasting.spring.BroadcasterCustomizer;
import dev.broadcasting.spring.TransactionalBroadcaster;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Broadcasts made in a transaction wait for its commit, through the {@link AfterCommitGate} on the
 * {@code Broadcaster} bean, when Spring's transaction support is on the class path; and the
 * {@link TransactionalBroadcaster}.
 */
@AutoConfiguration(after = BroadcastingAutoConfiguration.class)
@ConditionalOnClass(TransactionSynchronizationManager.class)
public class BroadcastingTransactionAutoConfiguration {

  /** First, so that an application's own customizer can set another gate. */
  @Bean
  @ConditionalOnBean(BroadcastingProperties.class)
  @Order(Ordered.HIGHEST_PRECEDENCE)
  BroadcasterCustomizer afterCommitGate(BroadcastingProperties properties) {
    AfterCommitGate gate = properties.isAfterCommit() ? AfterCommitGate.always() : AfterCommitGate.whenMarked();
    return builder -> builder.gate(gate);
  }

  @Bean
  @ConditionalOnBean(Broadcaster.class)
  @ConditionalOnMissingBean
  TransactionalBroadcaster transactionalBroadcaster(Broadcaster broadcaster) {
    return new TransactionalBroadcaster(broadcaster);
  }
}
