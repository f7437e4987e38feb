package dev.broadcasting;

/**
 * A channel's authorization as a class, as Laravel's channel classes: for rules that need
 * collaborators (a repository, a policy) or that serve both private and presence channels.
 *
 * <pre>{@code
 * final class OrderChannel implements ChannelHandler<User> {
 *   public Object join(User user, ChannelParameters params) {
 *     return orders.isOwnedBy(params.getLong("orderId"), user.id());
 *   }
 * }
 * channels.handler("orders.{orderId}", new OrderChannel());
 * }</pre>
 */
@FunctionalInterface
public interface ChannelHandler<U> {

  /**
   * Decides whether {@code user} may join. Return {@code true} or {@code false} for a private
   * channel; a {@link PresenceMember} (allow) or null (deny) for a presence channel. A
   * {@code PresenceMember} also allows a private channel.
   */
  Object join(U user, ChannelParameters params);
}
