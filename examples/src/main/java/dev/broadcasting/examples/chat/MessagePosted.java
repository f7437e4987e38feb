package dev.broadcasting.examples.chat;

import dev.broadcasting.Channel;
import dev.broadcasting.PresenceChannel;
import dev.broadcasting.ShouldBroadcast;
import java.util.List;

/**
 * A chat message, sent to everyone in the room; Echo listens with {@code .listen('.MessagePosted', ...)}.
 * {@code sentAt} is ISO-8601 text, so the payload needs no Jackson module for java.time.
 */
public record MessagePosted(long id, ChatUser user, String text, String sentAt) implements ShouldBroadcast {
  @Override
  public List<Channel> broadcastOn() {
    return List.of(new PresenceChannel(ChatDemo.ROOM));
  }
}
