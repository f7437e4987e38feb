package dev.broadcasting.spring.internal;

import java.security.Principal;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.util.ClassUtils;

/**
 * The request's user as channel callbacks see it: the {@link Principal}, none for Spring
 * Security's anonymous user, and with Spring Security the principal object inside it.
 */
public final class Principals {
  private static final boolean SECURITY = ClassUtils.isPresent(
      "org.springframework.security.core.Authentication", Principals.class.getClassLoader());

  private Principals() {}

  /** The authenticated user, or null when the request has none or an anonymous one. */
  public static Principal authenticated(Principal principal) {
    if (principal == null) {
      return null;
    }
    return SECURITY && Security.anonymous(principal) ? null : principal;
  }

  /** The value for a callback parameter of type {@code type}: the principal or the object inside it; null if neither fits. */
  static Object as(Principal principal, Class<?> type) {
    if (type.isInstance(principal)) {
      return principal;
    }
    return SECURITY ? Security.inner(principal, type) : null;
  }

  /** Kept apart so that nothing loads Spring Security's classes when it is absent. */
  private static final class Security {
    static boolean anonymous(Principal principal) {
      return principal instanceof AnonymousAuthenticationToken
          || principal instanceof Authentication authentication && !authentication.isAuthenticated();
    }

    static Object inner(Principal principal, Class<?> type) {
      if (principal instanceof Authentication authentication && type.isInstance(authentication.getPrincipal())) {
        return authentication.getPrincipal();
      }
      return null;
    }
  }
}
