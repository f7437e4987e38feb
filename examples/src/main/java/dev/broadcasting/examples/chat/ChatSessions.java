package dev.broadcasting.examples.chat;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * The demo's "login": a name picked on the page becomes a user, remembered under a random cookie
 * token. The same name is the same user, so two tabs of one person count once in presence.
 */
final class ChatSessions {
  static final String COOKIE = "chat_session";
  private static final Pattern NAME = Pattern.compile("[\\p{L}\\p{N}][\\p{L}\\p{N} _-]{0,23}");

  private final SecureRandom random = new SecureRandom();
  private final AtomicLong ids = new AtomicLong();
  private final Map<String, ChatUser> byToken = new ConcurrentHashMap<>();
  private final Map<String, ChatUser> byName = new ConcurrentHashMap<>();

  /** Logs {@code name} in and returns the cookie token. */
  String logIn(String name) {
    String clean = checkName(name);
    ChatUser user = byName.computeIfAbsent(clean.toLowerCase(Locale.ROOT),
        key -> new ChatUser(ids.incrementAndGet(), clean));
    byte[] token = new byte[18];
    random.nextBytes(token);
    String hex = HexFormat.of().formatHex(token);
    byToken.put(hex, user);
    return hex;
  }

  void logOut(String cookieHeader) {
    String token = token(cookieHeader);
    if (token != null) {
      byToken.remove(token);
    }
  }

  /** The user whose token is in the {@code Cookie} header, or null. */
  ChatUser user(String cookieHeader) {
    String token = token(cookieHeader);
    return token == null ? null : byToken.get(token);
  }

  /**
   * Why {@link #user} found nobody, for the terminal: no cookie at all, or one this run never
   * issued (the demo restarted since, and sessions live in memory, or the user logged out).
   */
  String whyNobody(String cookieHeader) {
    return token(cookieHeader) == null
        ? "nobody (no session cookie)"
        : "nobody (a session cookie this run does not know: the demo restarted or the user logged out;"
            + " the page asks them to reload and log in again)";
  }

  /** A logged-in user by name, any case, for {@code @name} mentions; or null. */
  ChatUser byName(String name) {
    return byName.get(name.toLowerCase(Locale.ROOT));
  }

  static String checkName(String name) {
    String trimmed = name == null ? "" : name.strip();
    if (!NAME.matcher(trimmed).matches()) {
      throw new IllegalArgumentException("A name is 1 to 24 letters, digits, spaces, '-' or '_', starting with a "
          + "letter or digit; \"" + (trimmed.length() > 30 ? trimmed.substring(0, 30) + "..." : trimmed)
          + "\" is not");
    }
    return trimmed;
  }

  private static String token(String cookieHeader) {
    if (cookieHeader == null) {
      return null;
    }
    for (String cookie : cookieHeader.split(";")) {
      String[] pair = cookie.strip().split("=", 2);
      if (pair.length == 2 && pair[0].equals(COOKIE)) {
        return pair[1];
      }
    }
    return null;
  }
}
