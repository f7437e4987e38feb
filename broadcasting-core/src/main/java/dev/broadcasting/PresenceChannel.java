package dev.broadcasting;

/**
 * A guarded channel that also tells its subscribers who else is subscribed.
 * {@code new PresenceChannel("room.1")} is {@code presence-room.1}.
 */
public final class PresenceChannel extends Channel {
  /** The prefix of every presence channel's full name. */
  public static final String PREFIX = "presence-";

  public PresenceChannel(String name) {
    super(PREFIX, name);
  }

  @Override
  public boolean isGuarded() {
    return true;
  }
}
