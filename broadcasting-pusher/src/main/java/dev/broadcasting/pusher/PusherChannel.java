package dev.broadcasting.pusher;

import java.util.OptionalInt;

/**
 * What Pusher reports about one channel, from {@link PusherBroadcastDriver#channels} or
 * {@link PusherBroadcastDriver#channel}. Counts are present only when they were asked for with an
 * {@link Info} and the channel supports them ({@code user_count} on presence channels only).
 *
 * <pre>{@code
 * PusherChannel room = driver.channel("presence-room.1", PusherChannel.Info.USER_COUNT).join();
 * if (room.occupied()) {
 *   System.out.println(room.userCount().orElse(0) + " users online");
 * }
 * }</pre>
 */
public record PusherChannel(String name, boolean occupied, OptionalInt userCount, OptionalInt subscriptionCount) {

  /** The attributes a query may ask for, sent as Pusher's {@code info} parameter. */
  public enum Info {
    /** Distinct users on a presence channel. */
    USER_COUNT("user_count"),
    /** Connections subscribed; Pusher answers it only when the app has subscription counting enabled. */
    SUBSCRIPTION_COUNT("subscription_count");

    private final String wireName;

    Info(String wireName) {
      this.wireName = wireName;
    }

    /** The name in Pusher's API, e.g. {@code user_count}. */
    public String wireName() {
      return wireName;
    }
  }
}
