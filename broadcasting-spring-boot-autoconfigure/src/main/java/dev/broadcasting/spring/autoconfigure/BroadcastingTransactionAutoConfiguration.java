package dev.broadcasting.spring.autoconfigure;

import dev.broadcasting.Broadcaster;
import dev.broadcasting.spring.TransactionalBroadcaster;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/** The {@link TransactionalBroadcaster}, when Spring's transaction support is on the class path. */
@AutoConfiguration(after = BroadcastingAutoConfiguration.class)
@ConditionalOnClass(TransactionSynchronizationManager.class)
public class BroadcastingTransactionAutoConfiguration {

  @Bean
  @ConditionalOnBean(Broadcaster.class)
  @ConditionalOnMissingBean
  TransactionalBroadcaster transactionalBroadcaster(Broadcaster broadcaster) {
    return new TransactionalBroadcaster(broadcaster);
  }
}
