package dev.broadcasting.spring.autoconfigure;

import dev.broadcasting.BroadcastListener;
import dev.broadcasting.Broadcaster;
import dev.broadcasting.spi.BroadcastDriver;
import java.util.Map;

/**
 * What an optional part (the embedded server, Micrometer) adds to the auto-configured
 * broadcaster, as a bean, so that the broadcaster's configuration names none of their classes.
 */
interface BroadcasterContribution {

  /** Connections this part serves, by name, with the names of their drivers. */
  default Map<String, NamedDriver> connections() {
    return Map.of();
  }

  /** The driver as the broadcaster should call it: observed, for example. */
  default BroadcastDriver wrap(String connection, String driverName, BroadcastDriver driver) {
    return driver;
  }

  /** A listener to add beside the application's, or null. */
  default BroadcastListener listener() {
    return null;
  }

  /** Called once the broadcaster is built. */
  default void built(Broadcaster broadcaster) {}

  /** A driver made outside the properties, with the name of its kind. */
  record NamedDriver(String driverName, BroadcastDriver driver) {}
}
