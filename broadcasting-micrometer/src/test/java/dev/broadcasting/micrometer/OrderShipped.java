package dev.broadcasting.micrometer;

import dev.broadcasting.Channel;
import dev.broadcasting.PrivateChannel;
import dev.broadcasting.ShouldBroadcast;
import java.util.List;

record OrderShipped(long orderId) implements ShouldBroadcast {
  @Override
  public List<? extends Channel> broadcastOn() {
    return List.of(new PrivateChannel("orders." + orderId));
  }
}
