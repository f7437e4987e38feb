package dev.broadcasting;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A public channel that events are broadcast on, and the base of the private, presence and
 * encrypted channel types. Its name is checked when it is built, so a bad name fails at the line
 * that made it rather than as a 4xx from a server later.
 *
 * <pre>{@code
 * List<Channel> broadcastOn() {
 *   return List.of(new Channel("orders"), new PrivateChannel("orders." + orderId));
 * }
 * }</pre>
 *
 * <p>Two channels are equal when their full names are equal, whatever class built them.
 */
public class Channel {
  /** The characters Pusher and Ably both accept in a channel name. */
  public static final String RULE = "[-a-zA-Z0-9_=@,.;]+";
  /** The longest name accepted, counting the prefix. */
  public static final int MAX_LENGTH = 200;

  private static final Pattern VALID = Pattern.compile(RULE);

  private final String name;

  /** A public channel; {@code name} is used as it stands. */
  public Channel(String name) {
    this("", name);
  }

  Channel(String prefix, String name) {
    Objects.requireNonNull(name, "channel name");
    String full = prefix + name;
    if (name.isEmpty()) {
      throw new IllegalArgumentException(
          "Channel name \"" + full + "\" is empty after the prefix; give the channel a name, e.g. \""
              + prefix + "orders.1\"");
    }
    if (full.length() > MAX_LENGTH || !VALID.matcher(full).matches()) {
      throw new IllegalArgumentException("Channel name \"" + full + "\" is invalid: a channel name must match "
          + RULE + " and be at most " + MAX_LENGTH + " characters including its prefix (it has "
          + full.length() + ")");
    }
    this.name = full;
  }

  /**
   * Returns the channel of the type its full name implies: {@code "presence-room.1"} gives a
   * {@link PresenceChannel}, {@code "private-encrypted-x"} an {@link EncryptedPrivateChannel}.
   */
  public static Channel of(String fullName) {
    Objects.requireNonNull(fullName, "channel name");
    if (fullName.startsWith(EncryptedPrivateChannel.PREFIX)) {
      return new EncryptedPrivateChannel(fullName.substring(EncryptedPrivateChannel.PREFIX.length()));
    }
    if (fullName.startsWith(PrivateChannel.PREFIX)) {
      return new PrivateChannel(fullName.substring(PrivateChannel.PREFIX.length()));
    }
    if (fullName.startsWith(PresenceChannel.PREFIX)) {
      return new PresenceChannel(fullName.substring(PresenceChannel.PREFIX.length()));
    }
    return new Channel(fullName);
  }

  /** The full name, prefix included, as clients subscribe to it. */
  @JsonValue
  public final String name() {
    return name;
  }

  /** True for private, encrypted private and presence channels: those a client must be authorized for. */
  public boolean isGuarded() {
    return false;
  }

  @Override
  public final boolean equals(Object other) {
    return other instanceof Channel && ((Channel) other).name.equals(name);
  }

  @Override
  public final int hashCode() {
    return name.hashCode();
  }

  @Override
  public final String toString() {
    return name;
  }
}
