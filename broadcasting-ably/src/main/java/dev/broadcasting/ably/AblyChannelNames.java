package dev.broadcasting.ably;

import dev.broadcasting.PresenceChannel;
import dev.broadcasting.PrivateChannel;
import java.util.Objects;

/**
 * How a channel name as the application broadcasts it ({@code private-chat.1}) becomes the name of
 * an Ably channel. The default, {@link #laravel()}, is what Laravel's broadcasters and Ably's
 * Pusher adapter use, so pusher-js and {@code @ably/laravel-echo} clients find the events.
 *
 * <pre>{@code
 * AblyBroadcastDriver driver = AblyBroadcastDriver.builder()
 *     .key(System.getenv("ABLY_KEY"))
 *     .channelNames(AblyChannelNames.unchanged())   // an app that subscribes to Ably names directly
 *     .build();
 * }</pre>
 */
@FunctionalInterface
public interface AblyChannelNames {

  /** The Ably channel name for {@code channelName}, the full name with its {@code private-} or {@code presence-} prefix. */
  String toAbly(String channelName);

  /** {@code private-x} → {@code private:x}, {@code presence-x} → {@code presence:x}, anything else → {@code public:x}. */
  static AblyChannelNames laravel() {
    return LaravelChannelNames.INSTANCE;
  }

  /** Names used as they are. */
  static AblyChannelNames unchanged() {
    return name -> Objects.requireNonNull(name, "channelName");
  }
}

/** Laravel's mapping; a class of its own so that it has a readable toString(). */
enum LaravelChannelNames implements AblyChannelNames {
  INSTANCE;

  @Override
  public String toAbly(String channelName) {
    if (channelName.startsWith(PrivateChannel.PREFIX)) {
      return "private:" + channelName.substring(PrivateChannel.PREFIX.length());
    }
    if (channelName.startsWith(PresenceChannel.PREFIX)) {
      return "presence:" + channelName.substring(PresenceChannel.PREFIX.length());
    }
    return "public:" + channelName;
  }

  @Override
  public String toString() {
    return "AblyChannelNames.laravel()";
  }
}
