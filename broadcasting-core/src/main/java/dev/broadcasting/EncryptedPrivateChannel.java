package dev.broadcasting;

/**
 * A private channel whose payloads the pusher driver encrypts end to end, so that Pusher itself
 * cannot read them. {@code new EncryptedPrivateChannel("chat.1")} is {@code private-encrypted-chat.1}.
 */
public final class EncryptedPrivateChannel extends PrivateChannel {
  /** The prefix of every encrypted private channel's full name. */
  public static final String PREFIX = "private-encrypted-";

  public EncryptedPrivateChannel(String name) {
    super(PREFIX, name);
  }
}
