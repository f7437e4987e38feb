package dev.broadcasting.spi;

/**
 * Makes a driver available to configuration by name. Driver modules list their provider in
 * {@code META-INF/services/dev.broadcasting.spi.BroadcastDriverProvider}, so adding the Maven
 * dependency is all it takes for {@code BROADCAST_CONNECTION=redis} to work.
 */
public interface BroadcastDriverProvider {

  /** The name used in configuration, e.g. {@code "redis"}. */
  String name();

  /**
   * Creates a driver from settings. Missing or malformed settings throw a
   * {@link dev.broadcasting.BroadcastException} that names the setting.
   */
  BroadcastDriver create(DriverSettings settings);
}
