package dev.broadcasting;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.broadcasting.spi.ChannelNames;
import java.util.Objects;

/**
 * A public channel that events are broadcast on, and the base of the private, presence and
 * encrypted channel types. Its name is checked when it is built, so a bad name fails at the line
 * that made it rather than as a 4xx from a server later. Core checks the rule every driver shares
 * ({@link ChannelNames#error}: not empty, no whitespace or control characters, at most
 * {@value ChannelNames#MAX_LENGTH} characters), so Laravel names such as {@code chat:1} or
 * {@code orders/1} work on the redis and log drivers; the pusher driver and the embedded server
 * refuse names outside Pusher's alphabet when they publish.
 *
 * <pre>{@code
 * List<Channel> broadcastOn() {
 *   return List.of(new Channel("orders"), new PrivateChannel("orders." + orderId));
 * }
 * }</pre>
 *
 * <p>Two channels are equal when their full names are equal, whatever class built them.
 */
public sealed class Channel permits PrivateChannel, PresenceChannel {
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
    String error = ChannelNames.error(full);
    if (error != null) {
      throw new IllegalArgumentException("Channel name \"" + printable(full) + "\" " + error);
    }
    this.name = full;
  }

  /**
   * Returns the channel of the type its full name implies: {@code "presence-room.1"} gives a
   * {@link PresenceChannel}, {@code "private-encrypted-x"} an {@link EncryptedPrivateChannel}.
   */
  public static Channel of(String fullName) {
    Objects.requireNonNull(fullName, "channel name");
    String prefix = ChannelNames.guardedPrefix(fullName);
    String name = fullName.substring(prefix.length());
    return switch (prefix) {
      case EncryptedPrivateChannel.PREFIX -> new EncryptedPrivateChannel(name);
      case PrivateChannel.PREFIX -> new PrivateChannel(name);
      case PresenceChannel.PREFIX -> new PresenceChannel(name);
      default -> new Channel(fullName);
    };
  }

  /** The name with control characters shown as {@code \\uXXXX}, so that a message stays one line. */
  private static String printable(String name) {
    StringBuilder out = new StringBuilder(name.length() + 8);
    name.chars().forEach(c -> out.append(Character.isISOControl(c) ? String.format("\\u%04x", c) : (char) c));
    return out.toString();
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
