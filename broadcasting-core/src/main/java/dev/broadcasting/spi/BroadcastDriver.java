package dev.broadcasting.spi;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * What a driver module implements: the transport that carries a {@link BroadcastMessage} to a
 * service (Redis, Pusher, Ably, the embedded server). Core owns queueing, ordering and retries; a
 * driver sends what it is given once and reports how that went.
 *
 * <p>Failures are reported by completing the future exceptionally with a
 * {@link dev.broadcasting.BroadcastException} whose {@code isRetryable()} says whether core should
 * try again. Any other exception is treated as retryable.
 *
 * <p>Every driver module proves this contract by extending core's {@code DriverCompatibilityKit}.
 */
public interface BroadcastDriver extends AutoCloseable {

  /** Sends one message to all its channels. Must not block for long: return a future instead. */
  CompletableFuture<Void> publish(BroadcastMessage message);

  /**
   * Sends several messages, in order, for drivers with a batch API. The default sends them one
   * after another, each once the one before it was accepted, so their order on a channel holds;
   * the result fails at the first failure, and the rest are not sent.
   */
  default CompletableFuture<Void> publishAll(List<BroadcastMessage> messages) {
    CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
    for (BroadcastMessage message : messages) {
      chain = chain.thenCompose(ok -> publish(message));
    }
    return chain;
  }

  /**
   * Signs the answers to channel authorization requests in this driver's protocol. The default
   * answers as laravel-echo-server expects: {@code true}, or the presence member.
   */
  default ChannelAuthSigner authSigner() {
    return ChannelAuthSigner.PLAIN;
  }

  /** Releases what the driver created; never what the application passed in. Idempotent. */
  @Override
  default void close() {}
}
