package dev.broadcasting.pusher.protocol;

import dev.broadcasting.spi.ChannelNames;
import java.util.regex.Pattern;

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

  private static final Pattern VALID = Pattern.compile(ALPHABET + "+");
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
    String rest = name.startsWith(SERVER_TO_USER_PREFIX) ? name.substring(SERVER_TO_USER_PREFIX.length()) : name;
    if (rest.isEmpty() || !VALID.matcher(rest).matches()) {
      return "has characters outside " + ALPHABET + ", the alphabet of Pusher channel names";
    }
    return null;
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
