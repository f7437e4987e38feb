package dev.broadcasting.examples.spring;

import dev.broadcasting.examples.chat.ChatUser;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.springframework.stereotype.Component;

/** The demo's users: a name picked on the page is a user; the same name is the same user, in any case. */
@Component
public class ChatUsers {
  private static final Pattern NAME = Pattern.compile("[\\p{L}\\p{N}][\\p{L}\\p{N} _-]{0,23}");
  /** The most distinct names the demo remembers. */
  static final int MAX_USERS = 10_000;

  private final AtomicLong ids = new AtomicLong();
  private final Map<String, ChatUser> byName = new ConcurrentHashMap<>();

  /** The user named {@code name}, made on first use; refuses a name that is not 1 to 24 letters and digits. */
  public ChatUser named(String name) {
    String clean = name == null ? "" : name.strip();
    if (!NAME.matcher(clean).matches()) {
      throw new IllegalArgumentException("A name is 1 to 24 letters, digits, spaces, '-' or '_', starting with a "
          + "letter or digit");
    }
    if (byName.size() >= MAX_USERS && !byName.containsKey(key(clean))) {
      throw new IllegalArgumentException("The demo has " + MAX_USERS + " users already; restart it");
    }
    return byName.computeIfAbsent(key(clean), key -> new ChatUser(ids.incrementAndGet(), clean));
  }

  /** A user by name, for {@code @name} mentions; or null. */
  public ChatUser find(String name) {
    return byName.get(key(name));
  }

  private static String key(String name) {
    return name.toLowerCase(Locale.ROOT);
  }
}
