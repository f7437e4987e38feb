package dev.broadcasting;

/**
 * A channel that only clients authorized by a {@link ChannelAuthorizer} callback may subscribe to.
 * {@code new PrivateChannel("chat.1")} is the channel {@code private-chat.1}.
 */
public sealed class PrivateChannel extends Channel permits EncryptedPrivateChannel {
  /** The prefix of every private channel's full name. */
  public static final String PREFIX = "private-";

  public PrivateChannel(String name) {
    super(PREFIX, name);
  }

  PrivateChannel(String prefix, String name) {
    super(prefix, name);
  }

  @Override
  public boolean isGuarded() {
    return true;
  }
}
