package dev.broadcasting.pusher.internal;

import dev.broadcasting.BroadcastException;
import dev.broadcasting.pusher.PusherBroadcastDriver;
import dev.broadcasting.spi.BroadcastDriver;
import dev.broadcasting.spi.BroadcastDriverProvider;
import dev.broadcasting.spi.DriverSettings;
import java.time.Duration;

/**
 * Makes {@code pusher} available to configuration, reading Laravel's variable names:
 * {@code PUSHER_APP_ID}, {@code PUSHER_APP_KEY}, {@code PUSHER_APP_SECRET}, {@code PUSHER_APP_CLUSTER},
 * {@code PUSHER_HOST}, {@code PUSHER_PORT}, {@code PUSHER_SCHEME},
 * {@code PUSHER_ENCRYPTION_MASTER_KEY_BASE64}, and this library's {@code PUSHER_CONNECT_TIMEOUT},
 * {@code PUSHER_READ_TIMEOUT}, {@code PUSHER_CALL_TIMEOUT} and {@code PUSHER_PAYLOAD_LIMIT}.
 */
public final class PusherDriverProvider implements BroadcastDriverProvider {

  @Override
  public String name() {
    return "pusher";
  }

  @Override
  public BroadcastDriver create(DriverSettings settings) {
    PusherBroadcastDriver.Builder builder = PusherBroadcastDriver.builder();
    apply("PUSHER_APP_ID", () -> builder.appId(settings.require("PUSHER_APP_ID", "the Pusher app id")));
    apply("PUSHER_APP_KEY", () -> builder.key(settings.require("PUSHER_APP_KEY", "the Pusher app key")));
    apply("PUSHER_APP_SECRET", () -> builder.secret(settings.require("PUSHER_APP_SECRET", "the Pusher app secret")));
    if (settings.get("PUSHER_APP_CLUSTER") != null) {
      apply("PUSHER_APP_CLUSTER", () -> builder.cluster(settings.get("PUSHER_APP_CLUSTER")));
    }
    if (settings.get("PUSHER_HOST") != null) {
      apply("PUSHER_HOST", () -> builder.host(settings.get("PUSHER_HOST")));
    }
    if (settings.get("PUSHER_SCHEME") != null) {
      apply("PUSHER_SCHEME", () -> builder.scheme(settings.get("PUSHER_SCHEME")));
    }
    if (settings.get("PUSHER_PORT") != null) {
      apply("PUSHER_PORT", () -> builder.port(settings.getInt("PUSHER_PORT", 0)));
    }
    if (settings.get("PUSHER_ENCRYPTION_MASTER_KEY_BASE64") != null) {
      apply("PUSHER_ENCRYPTION_MASTER_KEY_BASE64",
          () -> builder.encryptionMasterKeyBase64(settings.get("PUSHER_ENCRYPTION_MASTER_KEY_BASE64")));
    }
    Duration connect = settings.getDuration("PUSHER_CONNECT_TIMEOUT", null);
    if (connect != null) {
      apply("PUSHER_CONNECT_TIMEOUT", () -> builder.connectTimeout(connect));
    }
    Duration read = settings.getDuration("PUSHER_READ_TIMEOUT", null);
    if (read != null) {
      apply("PUSHER_READ_TIMEOUT", () -> builder.readTimeout(read));
    }
    Duration call = settings.getDuration("PUSHER_CALL_TIMEOUT", null);
    if (call != null) {
      apply("PUSHER_CALL_TIMEOUT", () -> builder.callTimeout(call));
    }
    if (settings.get("PUSHER_PAYLOAD_LIMIT") != null) {
      apply("PUSHER_PAYLOAD_LIMIT", () -> builder.payloadLimit(settings.getInt("PUSHER_PAYLOAD_LIMIT", 0)));
    }
    return builder.build();
  }

  /** Re-throws a builder's complaint as core's configuration error, naming the setting. */
  private static void apply(String setting, Runnable step) {
    try {
      step.run();
    } catch (IllegalArgumentException e) {
      throw new BroadcastException("Setting " + setting + ": " + e.getMessage());
    }
  }

  @Override
  public String toString() {
    return "PusherDriverProvider{pusher}";
  }
}
