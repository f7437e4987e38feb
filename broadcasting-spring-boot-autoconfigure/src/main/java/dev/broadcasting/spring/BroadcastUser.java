package dev.broadcasting.spring;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks the bean method that gives the signed-in user's data for Pusher's user sign-in
 * ({@code POST /broadcasting/user-auth}): a Map or object with a non-empty string {@code id}.
 * One per application. Its one parameter is the user, as for {@link BroadcastChannel}.
 *
 * <pre>{@code
 * @BroadcastUser
 * Map<String, Object> user(UserDetails user) { return Map.of("id", user.getUsername()); }
 * }</pre>
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface BroadcastUser {}
