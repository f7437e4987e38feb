package dev.broadcasting.server.internal.dashboard;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Who is logged in to the dashboard: a random token per login, the apps it may see, and when it
 * expires. At most {@value #MAX_SESSIONS} at once (the oldest login is forgotten first), each for
 * {@value #HOURS} hours. Failed logins are limited to {@value #MAX_FAILURES_PER_MINUTE} a minute
 * for the whole server, which keeps guessing a password slow.
 *
 * <pre>{@code
 * String token = sessions.open(Set.of("1"));
 * Set<String> apps = sessions.apps(token);   // null once expired or unknown
 * }</pre>
 */
final class Sessions {
  static final int MAX_SESSIONS = 100;
  static final int HOURS = 8;
  static final int MAX_FAILURES_PER_MINUTE = 20;
  private static final SecureRandom RANDOM = new SecureRandom();

  private record Session(Set<String> apps, long expiresNanos) {}

  private final LongSupplier nanoClock;
  private final Map<String, Session> byToken = new LinkedHashMap<>();
  private long failureWindowStart;
  private int failures;

  Sessions(LongSupplier nanoClock) {
    this.nanoClock = nanoClock;
    this.failureWindowStart = nanoClock.getAsLong();
  }

  synchronized String open(Set<String> apps) {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    String token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    if (byToken.size() >= MAX_SESSIONS) {
      byToken.remove(byToken.keySet().iterator().next());
    }
    byToken.put(token, new Session(java.util.Collections.unmodifiableSet(new java.util.LinkedHashSet<>(apps)), nanoClock.getAsLong() + TimeUnit.HOURS.toNanos(HOURS)));
    return token;
  }

  /** The apps the session {@code token} may see, or null when there is no such live session. */
  synchronized Set<String> apps(String token) {
    Session session = token == null ? null : byToken.get(token);
    if (session == null) {
      return null;
    }
    if (nanoClock.getAsLong() - session.expiresNanos() > 0) {
      byToken.remove(token);
      return null;
    }
    return session.apps();
  }

  synchronized void close(String token) {
    if (token != null) {
      byToken.remove(token);
    }
  }

  /** Counts a failed login in the current minute. */
  synchronized void failedLogin() {
    long now = nanoClock.getAsLong();
    if (now - failureWindowStart >= TimeUnit.MINUTES.toNanos(1)) {
      failureWindowStart = now;
      failures = 0;
    }
    failures++;
  }

  /** True while fewer than the limit of failed logins happened this minute. */
  synchronized boolean loginsOpen() {
    long now = nanoClock.getAsLong();
    return now - failureWindowStart >= TimeUnit.MINUTES.toNanos(1) || failures < MAX_FAILURES_PER_MINUTE;
  }
}
