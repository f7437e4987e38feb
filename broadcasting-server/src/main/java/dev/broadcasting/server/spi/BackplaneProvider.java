package dev.broadcasting.server.spi;

import dev.broadcasting.spi.DriverSettings;

/**
 * Builds a {@link Backplane} from settings, for servers configured by the environment or flags
 * ({@code BROADCAST_SERVER_BACKPLANE=redis://redis:6379}). Found with
 * {@link java.util.ServiceLoader}: list the implementation in
 * {@code META-INF/services/dev.broadcasting.server.spi.BackplaneProvider}.
 *
 * <pre>{@code
 * public final class RedisBackplaneProvider implements BackplaneProvider {
 *   public boolean accepts(String url) { return url.startsWith("redis://"); }
 *   public Backplane create(String url, DriverSettings settings) { ... }
 * }
 * }</pre>
 */
public interface BackplaneProvider {
  /** Whether this provider builds backplanes for {@code url}, judged by its scheme. */
  boolean accepts(String url);

  /** A backplane on {@code url}; further settings are under {@code BROADCAST_SERVER_BACKPLANE_*}. */
  Backplane create(String url, DriverSettings settings);
}
