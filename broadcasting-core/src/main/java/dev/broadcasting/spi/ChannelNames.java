package dev.broadcasting.spi;

import dev.broadcasting.EncryptedPrivateChannel;
import dev.broadcasting.PresenceChannel;
import dev.broadcasting.PrivateChannel;

/**
 * The channel-name conventions every driver shares, as Laravel's {@code UsePusherChannelConventions}:
 * the base rule that core checks for every connection, and the {@code private-},
 * {@code private-encrypted-} and {@code presence-} prefixes. A protocol with a narrower alphabet
 * (Pusher's) checks it in its driver, through {@link ChannelAuthSigner#channelNameError}.
 *
 * <pre>{@code
 * ChannelNames.error("private-chat:1");         // null: Laravel and Redis accept it
 * ChannelNames.error("private-chat 1");         // "has a space or control character at index 12"
 * String bare = ChannelNames.withoutPrefix("presence-room.1"); // "room.1"
 * }</pre>
 */
public final class ChannelNames {
  /** The longest name accepted by any driver, counting the prefix. */
  public static final int MAX_LENGTH = 200;

  /** Longest first, so that {@code private-encrypted-} is not taken for {@code private-}. */
  private static final String[] GUARDED_PREFIXES =
      {EncryptedPrivateChannel.PREFIX, PrivateChannel.PREFIX, PresenceChannel.PREFIX};

  private ChannelNames() {}

  /**
   * Why {@code name} is not a channel name on any driver, or null when it is one: it must not be
   * empty, must have no whitespace or control characters, and at most {@link #MAX_LENGTH} characters.
   * The reason is a predicate without the name, such as {@code "is missing"}: callers say which
   * name, quoted as suits them.
   */
  public static String error(String name) {
    if (name == null || name.isEmpty()) {
      return "is missing";
    }
    if (name.length() > MAX_LENGTH) {
      return "is " + name.length() + " characters long counting its prefix; the most is " + MAX_LENGTH;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (Character.isWhitespace(c) || Character.isISOControl(c) || Character.isSpaceChar(c)) {
        return "has a space or control character at index " + i + "; channel names have neither";
      }
    }
    return null;
  }

  /** The prefix that makes {@code name} a guarded channel, or the empty string for a public one. */
  public static String guardedPrefix(String name) {
    for (String prefix : GUARDED_PREFIXES) {
      if (name.startsWith(prefix)) {
        return prefix;
      }
    }
    return "";
  }

  /** True when clients must be authorized for {@code name}: private, encrypted private or presence. */
  public static boolean isGuarded(String name) {
    return !guardedPrefix(name).isEmpty();
  }

  /** {@code name} without its {@code private-}, {@code private-encrypted-} or {@code presence-} prefix. */
  public static String withoutPrefix(String name) {
    return name.substring(guardedPrefix(name).length());
  }
}
