package dev.broadcasting.testing;

import dev.broadcasting.spi.BroadcastDriver;
import dev.broadcasting.spi.BroadcastMessage;
import dev.broadcasting.spi.DriverCompatibilityKit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The fake honours the same contract as the real drivers, so tests written against it stay true. */
class FakeDriverCompatibilityTest extends DriverCompatibilityKit {
  private BroadcastFake fake;

  @Override
  protected BroadcastDriver createDriver() {
    fake = new BroadcastFake();
    return fake;
  }

  @Override
  protected List<Delivery> awaitDeliveries(int count, Duration timeout) {
    List<Delivery> deliveries = new ArrayList<>();
    for (BroadcastMessage message : fake.messages()) {
      message.channels().forEach(channel ->
          deliveries.add(new Delivery(channel.name(), message.event(), message.payload(), message.socketId())));
    }
    return deliveries;
  }

  @Override
  protected String driverName() {
    return null;
  }
}
