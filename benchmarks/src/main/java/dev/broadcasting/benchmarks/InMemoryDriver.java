package dev.broadcasting.benchmarks;

import dev.broadcasting.spi.BroadcastDriver;
import dev.broadcasting.spi.BroadcastMessage;
import java.util.concurrent.CompletableFuture;

/**
 * A driver that accepts every message at once and keeps nothing: what is left of
 * {@code broadcast()} when the transport costs nothing. It hands out a fresh completed future each
 * time, as a driver whose send finished synchronously would.
 */
final class InMemoryDriver implements BroadcastDriver {
  @Override
  public CompletableFuture<Void> publish(BroadcastMessage message) {
    return CompletableFuture.completedFuture(null);
  }
}
