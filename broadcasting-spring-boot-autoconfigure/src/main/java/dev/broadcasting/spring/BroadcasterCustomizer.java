package dev.broadcasting.spring;

import dev.broadcasting.Broadcaster;

/**
 * Changes the auto-configured {@link Broadcaster} before it is built: a failure handler, an
 * object mapper, a connection with a driver of your own. Declare it as a bean.
 *
 * <pre>{@code
 * @Bean
 * BroadcasterCustomizer deadLetters(DeadLetters store) {
 *   return builder -> builder.onFailure(store::save);
 * }
 * }</pre>
 */
@FunctionalInterface
public interface BroadcasterCustomizer {
  void customize(Broadcaster.Builder builder);
}
