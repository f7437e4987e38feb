package dev.broadcasting.pusher.protocol;

import dev.broadcasting.spi.ChannelNames;

/**
 * The channel-name rules of the Pusher protocol, on top of the base rule every driver shares
 * ({@link ChannelNames}): Pusher's alphabet, the cache-channel prefixes and the server-to-user
 * channel. The pusher driver and the embedded server check names here.
 *
 * <pre>{@code
 * PusherChannelNames.error("private-chat.1"); // null: valid
 * PusherChannelNames.error("private-chat:1"); // "has characters outside [-a-zA-Z0-9_=@,.;]"
 * }</pre>
 */
public final class PusherChannelNames {
  /** The characters Pusher accepts in a channel name. */
  public static final String ALPHABET = "[-a-zA-Z0-9_=@,.;]";
  /** The channel a signed-in user's server-to-user events go to, followed by the user id. */
  public static final String SERVER_TO_USER_PREFIX = "#server-to-user-";

  /**
   * {@link #ALPHABET} as a table of the ASCII characters, so that the check of every channel of
   * every event is a loop, not a regular expression's matcher.
   */
  private static final boolean[] IN_ALPHABET = new boolean[128];

  static {
    for (char c : "-_=@,.;".toCharArray()) {
      IN_ALPHABET[c] = true;
    }
    for (char c = 'a'; c <= 'z'; c++) {
      IN_ALPHABET[c] = true;
      IN_ALPHABET[Character.toUpperCase(c)] = true;
    }
    for (char c = '0'; c <= '9'; c++) {
      IN_ALPHABET[c] = true;
    }
  }

  private static final String[] CACHE_PREFIXES =
      {"cache-", "private-cache-", "presence-cache-", "private-encrypted-cache-"};

  private PusherChannelNames() {}

  /**
   * Why Pusher refuses {@code name}, or null when it accepts it: the base rule, then Pusher's
   * alphabet ({@code #server-to-user-} followed by an id in that alphabet is also accepted). The
   * reason is a predicate without the name, plain ASCII without quotes.
   */
  public static String error(String name) {
    String base = ChannelNames.error(name);
    if (base != null) {
      return base;
    }
    int from = name.startsWith(SERVER_TO_USER_PREFIX) ? SERVER_TO_USER_PREFIX.length() : 0;
    if (from == name.length() || !inAlphabet(name, from)) {
      return "has characters outside " + ALPHABET + ", the alphabet of Pusher channel names";
    }
    return null;
  }

  private static boolean inAlphabet(String name, int from) {
    for (int i = from; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c >= IN_ALPHABET.length || !IN_ALPHABET[c]) {
        return false;
      }
    }
    return true;
  }

  /** Cache channels keep their last event for new subscribers: {@code cache-}, {@code private-cache-}, ... */
  public static boolean isCache(String name) {
    for (String prefix : CACHE_PREFIXES) {
      if (name.startsWith(prefix)) {
        return true;
      }
    }
    return false;
  }
}
