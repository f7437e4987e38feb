package dev.broadcasting.server.spi;

import dev.broadcasting.spi.DriverSettings;

/**
 * Builds a {@link Backplane} from settings, for servers configured by the environment or flags
 * ({@code --backplane redis://redis:6379}, {@code BROADCAST_SERVER_BACKPLANE}, or {@code "backplane"} in
 * the configuration file). Found with
 * {@link java.util.ServiceLoader}: list the implementation in
 * {@code META-INF/services/dev.broadcasting.server.spi.BackplaneProvider}.
 *
 * <pre>{@code
 * public final class RedisBackplaneProvider implements BackplaneProvider {
 *   public boolean accepts(String url) { return url.startsWith("redis://"); }
 *   public Backplane create(String url, DriverSettings options) { ... }
 * }
 * }</pre>
 */
public interface BackplaneProvider {
  /** Whether this provider builds backplanes for {@code url}, judged by its scheme. */
  boolean accepts(String url);

  /**
   * A backplane on {@code url}. {@code options} holds the further settings given, by name without
   * the {@code backplane-} prefix: {@code lease} (a duration) and {@code node-id}.
   */
  Backplane create(String url, DriverSettings options);
}
