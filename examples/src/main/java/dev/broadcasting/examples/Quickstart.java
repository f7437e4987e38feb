package dev.broadcasting.examples;

import dev.broadcasting.Broadcaster;
import dev.broadcasting.Channel;
import dev.broadcasting.PrivateChannel;
import dev.broadcasting.ShouldBroadcast;
import java.util.List;

/** The README's quickstart, verbatim: an event, a broadcaster, a broadcast. */
public final class Quickstart {

  // An event is a record (or any class) that says where it goes; its fields are the payload.
  public record OrderShipped(long orderId, String carrier) implements ShouldBroadcast {
    @Override
    public List<Channel> broadcastOn() {
      return List.of(new PrivateChannel("orders." + orderId));
    }
  }

  public static void main(String[] args) {
    // BROADCAST_CONNECTION=pusher|redis|ably|log|null, and the driver's own variables
    try (Broadcaster broadcaster = Broadcaster.fromEnvironment()) {
      broadcaster.broadcast(new OrderShipped(42, "UPS"));
    } // close() drains the queue
  }
}
