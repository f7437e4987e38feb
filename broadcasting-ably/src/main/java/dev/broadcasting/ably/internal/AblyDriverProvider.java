package dev.broadcasting.ably.internal;

import dev.broadcasting.BroadcastException;
import dev.broadcasting.ably.AblyBroadcastDriver;
import dev.broadcasting.spi.BroadcastDriver;
import dev.broadcasting.spi.BroadcastDriverProvider;
import dev.broadcasting.spi.DriverSettings;
import java.time.Duration;

/**
 * Registers the {@code ably} driver. Reads {@code ABLY_KEY} (required), and optionally
 * {@code ABLY_ENDPOINT} or {@code ABLY_HOST}, {@code ABLY_PORT}, {@code ABLY_TLS},
 * {@code ABLY_MAX_MESSAGE_SIZE}, {@code ABLY_CONNECT_TIMEOUT}, {@code ABLY_REQUEST_TIMEOUT}.
 */
public final class AblyDriverProvider implements BroadcastDriverProvider {
  @Override
  public String name() {
    return "ably";
  }

  @Override
  public BroadcastDriver create(DriverSettings settings) {
    try {
      return build(settings);
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new BroadcastException("The ably connection's settings are invalid: " + e.getMessage(), e);
    }
  }

  private static BroadcastDriver build(DriverSettings settings) {
    AblyBroadcastDriver.Builder builder = AblyBroadcastDriver.builder()
        .key(settings.require("ABLY_KEY", "the Ably API key, appId.keyId:keySecret"));
    String endpoint = settings.get("ABLY_ENDPOINT");
    if (endpoint != null) {
      builder.endpoint(endpoint);
    }
    String host = settings.get("ABLY_HOST");
    if (host != null) {
      builder.host(host);
    }
    int port = settings.getInt("ABLY_PORT", 0);
    if (port != 0) {
      builder.port(port);
    }
    boolean tls = settings.getBoolean("ABLY_TLS", true);
    builder.tls(tls).allowInsecureBasicAuth(!tls && settings.getBoolean("ABLY_ALLOW_INSECURE_BASIC_AUTH", false));
    builder.maxMessageSize(settings.getInt("ABLY_MAX_MESSAGE_SIZE", 64 * 1024));
    builder.connectTimeout(settings.getDuration("ABLY_CONNECT_TIMEOUT", Duration.ofSeconds(4)));
    builder.requestTimeout(settings.getDuration("ABLY_REQUEST_TIMEOUT", Duration.ofSeconds(10)));
    return builder.build();
  }

  @Override
  public String toString() {
    return "AblyDriverProvider[ably]";
  }
}
