package dev.broadcasting.examples.chat;

import dev.broadcasting.Channel;
import dev.broadcasting.ShouldBroadcast;
import java.util.List;

/** The server's heartbeat on the public {@code ticks} channel: anyone may listen, no auth involved. */
public record Tick(long n, String at) implements ShouldBroadcast {
  @Override
  public List<Channel> broadcastOn() {
    return List.of(new Channel("ticks"));
  }
}
