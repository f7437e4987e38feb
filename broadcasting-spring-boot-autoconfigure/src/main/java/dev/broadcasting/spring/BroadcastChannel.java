package dev.broadcasting.spring;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a bean method as the callback of a private or presence channel pattern: the
 * {@code routes/channels.php} of a Spring application. The method is registered in the
 * {@link dev.broadcasting.ChannelAuthorizer} when the context starts.
 *
 * <pre>{@code
 * @Component
 * class Channels {
 *   @BroadcastChannel("orders.{id}")
 *   boolean order(UserDetails user, long id) { return orders.isOwnedBy(id, user.getUsername()); }
 *
 *   @BroadcastChannel("room.{roomId}")
 *   Map<String, Object> room(Principal user, long roomId) { return Map.of("name", user.getName()); }
 * }
 * }</pre>
 *
 * <p>Parameters: {@link dev.broadcasting.ChannelParameters}; a pattern parameter by its name (the
 * code is compiled with {@code -parameters}), converted to the parameter's type (String, numbers,
 * UUID, enums: any type Spring's conversion service converts to from text); and one parameter for
 * the authenticated user: the request's {@link java.security.Principal}, or with Spring Security
 * the principal inside it ({@code UserDetails}, your own user class) when its type fits.
 *
 * <p>Answers: {@code true}/{@code false}; a {@link dev.broadcasting.PresenceMember}; null to deny;
 * or any other object, which allows and, on a presence channel, is the member's {@code user_info},
 * with the principal's name as its {@code user_id} (as Laravel does with an array).
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface BroadcastChannel {

  /** The channel pattern without its prefix, e.g. {@code orders.{id}} for {@code private-orders.42}. */
  String value();
}
