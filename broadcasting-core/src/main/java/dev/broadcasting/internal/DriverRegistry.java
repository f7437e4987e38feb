package dev.broadcasting.internal;

import dev.broadcasting.BroadcastException;
import dev.broadcasting.spi.BroadcastDriver;
import dev.broadcasting.spi.BroadcastDriverProvider;
import dev.broadcasting.spi.DriverSettings;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

/** Finds drivers by name among the {@link BroadcastDriverProvider}s on the classpath. */
public final class DriverRegistry {
  private DriverRegistry() {}

  /** Every provider found, by name. */
  public static Map<String, BroadcastDriverProvider> providers() {
    Map<String, BroadcastDriverProvider> found = new TreeMap<>();
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    for (BroadcastDriverProvider provider : ServiceLoader.load(BroadcastDriverProvider.class,
        loader != null ? loader : DriverRegistry.class.getClassLoader())) {
      found.putIfAbsent(provider.name(), provider);
    }
    return found;
  }

  public static BroadcastDriver create(String driverName, DriverSettings settings) {
    Map<String, BroadcastDriverProvider> providers = providers();
    BroadcastDriverProvider provider = providers.get(driverName);
    if (provider == null) {
      throw new BroadcastException("No broadcast driver named '" + driverName + "'. Drivers found: "
          + providers.keySet() + ". Add the driver's Maven dependency (dev.broadcasting:broadcasting-"
          + driverName + ") or fix the name in BROADCAST_CONNECTION.");
    }
    return provider.create(settings);
  }
}
