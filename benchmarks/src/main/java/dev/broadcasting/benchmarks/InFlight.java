package dev.broadcasting.benchmarks;

import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/** A burst of asynchronous sends: the same number in flight for every client compared, then all awaited. */
final class InFlight {
  /** Sends per burst, as many as the HTTP clients' connections per host. */
  static final int WINDOW = 64;

  private InFlight() {}

  static void burst(Supplier<? extends CompletableFuture<?>> send) {
    CompletableFuture<?>[] sent = new CompletableFuture<?>[WINDOW];
    for (int i = 0; i < WINDOW; i++) {
      sent[i] = send.get();
    }
    CompletableFuture.allOf(sent).join();
  }
}
