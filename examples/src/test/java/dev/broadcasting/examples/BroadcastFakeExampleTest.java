package dev.broadcasting.examples;

import dev.broadcasting.Broadcaster;
import dev.broadcasting.PrivateChannel;
import dev.broadcasting.examples.Quickstart.OrderShipped;
import dev.broadcasting.testing.BroadcastFake;
import org.junit.jupiter.api.Test;

/** How an application tests its own broadcasting: swap the broadcaster for the fake's. */
class BroadcastFakeExampleTest {

  /** The application code under test. */
  static final class ShippingService {
    private final Broadcaster broadcaster;

    ShippingService(Broadcaster broadcaster) {
      this.broadcaster = broadcaster;
    }

    void ship(long orderId, String carrier) {
      // ... the real work ...
      broadcaster.broadcast(new OrderShipped(orderId, carrier));
    }
  }

  @Test
  void shippingBroadcastsToTheOrdersPrivateChannel() {
    BroadcastFake fake = new BroadcastFake();
    new ShippingService(fake.broadcaster()).ship(42, "UPS");

    fake.assertBroadcastOn(new PrivateChannel("orders.42"), OrderShipped.class);
    fake.assertBroadcast(OrderShipped.class, event -> event.carrier().equals("UPS"));
    fake.assertBroadcastTimes(OrderShipped.class, 1);
  }
}
