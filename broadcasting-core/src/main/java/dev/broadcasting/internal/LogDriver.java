package dev.broadcasting.internal;

import dev.broadcasting.spi.BroadcastDriver;
import dev.broadcasting.spi.BroadcastDriverProvider;
import dev.broadcasting.spi.BroadcastMessage;
import dev.broadcasting.spi.DriverSettings;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code log} driver: one info line per event with its name, channels and payload size. The
 * payload itself is logged only at trace level, since it may hold personal data.
 */
public final class LogDriver implements BroadcastDriver {
  private static final Logger log = LoggerFactory.getLogger(LogDriver.class);

  @Override
  public CompletableFuture<Void> publish(BroadcastMessage message) {
    log.info("Broadcasting [{}] on {} ({} bytes){}", message.event(), message.channels(), message.payloadBytes(),
        message.socketId() == null ? "" : " except socket " + message.socketId());
    log.trace("Payload of [{}]: {}", message.event(), message.payload());
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public String toString() {
    return "LogDriver";
  }

  /** Registers the driver under the name {@code log}. */
  public static final class Provider implements BroadcastDriverProvider {
    @Override
    public String name() {
      return "log";
    }

    @Override
    public BroadcastDriver create(DriverSettings settings) {
      return new LogDriver();
    }
  }
}
