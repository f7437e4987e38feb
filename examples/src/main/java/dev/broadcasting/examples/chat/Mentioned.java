package dev.broadcasting.examples.chat;

import dev.broadcasting.Channel;
import dev.broadcasting.PrivateChannel;
import dev.broadcasting.ShouldBroadcast;
import java.util.List;

/** Tells one user, on their own private channel, that a message named them with {@code @name}. */
public record Mentioned(long userId, String by, String text) implements ShouldBroadcast {
  @Override
  public List<Channel> broadcastOn() {
    return List.of(new PrivateChannel("user." + userId));
  }
}
