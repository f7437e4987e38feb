package dev.broadcasting.queue.redis.internal;

import dev.broadcasting.spi.DriverSettings;
import io.lettuce.core.SslOptions;

/**
 * The queue's names for the shared TLS trust rule ({@link dev.broadcasting.resp.internal.TrustSettings}):
 * {@code BROADCAST_QUEUE_REDIS_CA_FILE}, or {@code BROADCAST_QUEUE_REDIS_TRUST_STORE} and
 * {@code _PASSWORD}.
 *
 * <pre>{@code
 * SslOptions trust = TrustSettings.read(DriverSettings.of(Map.of(TrustSettings.CA_FILE, "/etc/redis/ca.pem")), true);
 * }</pre>
 */
public final class TrustSettings {
  private static final dev.broadcasting.resp.internal.TrustSettings RULE =
      new dev.broadcasting.resp.internal.TrustSettings("BROADCAST_QUEUE_REDIS", "the queue",
          "BROADCAST_QUEUE_REDIS_URL (or REDIS_URL)");
  public static final String CA_FILE = RULE.caFile();
  public static final String TRUST_STORE = RULE.trustStore();
  public static final String TRUST_STORE_PASSWORD = RULE.trustStorePassword();

  private TrustSettings() {}

  /** Whether any trust setting is given. */
  public static boolean given(DriverSettings settings) {
    return RULE.given(settings::get);
  }

  /** See {@link dev.broadcasting.resp.internal.TrustSettings#read}; {@code tls}: the queue's URL is rediss://. */
  public static SslOptions read(DriverSettings settings, boolean tls) {
    return RULE.read(settings::get, tls);
  }

  /** What to do when the queue cannot connect: for a certificate refused, which settings give it the CA. */
  public static String advice(Throwable connectFailure) {
    return RULE.advice(connectFailure);
  }
}
