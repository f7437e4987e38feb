package dev.broadcasting.internal;

import dev.broadcasting.spi.BroadcastDriver;
import dev.broadcasting.spi.BroadcastDriverProvider;
import dev.broadcasting.spi.BroadcastMessage;
import dev.broadcasting.spi.DriverSettings;
import java.util.concurrent.CompletableFuture;

/** The {@code null} driver: accepts every event and sends it nowhere, for environments without broadcasting. */
public final class NullDriver implements BroadcastDriver {
  private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

  @Override
  public CompletableFuture<Void> publish(BroadcastMessage message) {
    return DONE;
  }

  @Override
  public String toString() {
    return "NullDriver";
  }

  /** Registers the driver under the name {@code null}. */
  public static final class Provider implements BroadcastDriverProvider {
    @Override
    public String name() {
      return "null";
    }

    @Override
    public BroadcastDriver create(DriverSettings settings) {
      return new NullDriver();
    }
  }
}
