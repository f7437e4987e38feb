package dev.broadcasting.spi;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * What a driver module implements: the transport that carries a {@link BroadcastMessage} to a
 * service (Redis, Pusher, Ably, the embedded server). Core owns queueing, ordering, time and
 * retries; a driver sends what it is given once and reports how that went.
 *
 * <pre>{@code
 * public CompletableFuture<Void> publish(BroadcastMessage message) {
 *   Call call = client.newCall(request(message));
 *   CompletableFuture<Void> sent = new CompletableFuture<>();
 *   sent.whenComplete((ok, error) -> { if (sent.isCancelled()) call.cancel(); });
 *   call.enqueue(callbackCompleting(sent));
 *   return sent;
 * }
 * }</pre>
 *
 * <p>Failures are reported by completing the future exceptionally with a
 * {@link dev.broadcasting.BroadcastException} whose {@code isRetryable()} says whether core should
 * try again. Any other exception is treated as retryable. A null future is a driver bug: core fails
 * the event with a message that says so.
 *
 * <p><b>Cancellation.</b> Core cancels the very future a driver returned when the attempt timeout
 * passes and when the broadcaster closes with the request still open. A driver must then stop the
 * request (OkHttp's {@code Call.cancel()}, a lettuce command's {@code cancel}), so that a retry
 * never runs beside the request it replaces. A future derived with {@code thenApply} or
 * {@code thenCompose} does not pass a cancel back to its source: use {@link Cancellation} to derive
 * one that does.
 *
 * <p>Every driver module proves this contract by extending the {@code DriverCompatibilityKit} of
 * the {@code broadcasting-compatibility-kit} artifact.
 */
public interface BroadcastDriver extends AutoCloseable {

  /** Sends one message to all its channels. Must not block for long: return a future instead. */
  CompletableFuture<Void> publish(BroadcastMessage message);

  /**
   * Sends several messages, in order, for drivers with a batch API. The default sends them one
   * after another, each once the one before it was accepted, so their order on a channel holds;
   * the result fails at the first failure, and the rest are not sent. A cancel stops the message
   * in flight and sends no more. A driver documents whether its batch is all or nothing.
   */
  default CompletableFuture<Void> publishAll(List<BroadcastMessage> messages) {
    return Cancellation.sequence(messages.size(), index -> publish(messages.get(index)));
  }

  /**
   * Whether requests reach the service in the order this driver was called, and are applied in
   * that order: one connection to a service that runs commands one after another, as Redis does.
   * Core then pipelines: it sends a channel's next events before the answer to the previous one,
   * up to a window, since the connection keeps their order. False by default: core sends a
   * channel's next events only once the previous request has been answered.
   */
  default boolean keepsOrder() {
    return false;
  }

  /**
   * The most messages this driver may have sent and not yet answered at once, across all channels:
   * a driver whose connection holds a bounded number of commands waiting for their answers (the
   * Redis publish socket's 8,192) declares that bound, and core stops sending at it and goes on
   * as answers come back, rather than have the excess refused and retried. A message counts from
   * the call that carries it ({@code publish}, {@code publishAll}, {@code publishBatch}) until its
   * future completes, answered, failed or cancelled; a single {@code publishAll} larger than the
   * bound still goes, alone. {@link Integer#MAX_VALUE} (the default): no bound beyond core's own
   * window per channel and queue capacity. At least 1: the broadcaster's builder refuses a driver
   * that declares less. A pipelining driver that declares a bound gets a larger window per channel
   * (4,096 events, at most the bound, instead of 256): its connection limits what is in flight.
   *
   * <pre>{@code
   * public int maxUnanswered() {
   *   return socket.maxUnanswered();
   * }
   * }</pre>
   */
  default int maxUnanswered() {
    return Integer.MAX_VALUE;
  }

  /**
   * How many independent messages one {@link #publishBatch} call may carry; 1 (the default) means
   * the driver has no batch form and core calls {@link #publish} for each message.
   */
  default int maxBatch() {
    return 1;
  }

  /**
   * Sends independent messages together in the driver's batch form (pipelined commands with one
   * flush, one {@code batch_events} request, one batch publish), and returns one future per
   * message, in the order given; messages of one request may share a future. For each channel,
   * the messages reach it in the order given. Core calls it with at most {@link #maxBatch}
   * single messages that were waiting at the same time, each with its own outcome and retries, so
   * unlike {@link #publishAll} a batch need not be all or nothing. Cancelling any returned future
   * stops the request that carries it. The default publishes each message on its own.
   */
  default List<CompletableFuture<Void>> publishBatch(List<BroadcastMessage> messages) {
    List<CompletableFuture<Void>> sent = new ArrayList<>(messages.size());
    for (BroadcastMessage message : messages) {
      sent.add(publish(message));
    }
    return sent;
  }

  /**
   * Builds, ahead of time, the request that {@link #publishBatch} would send for {@code messages}
   * (serialized and signed), without sending it: core asks on an ordered connection that sends a
   * channel's next events only after the previous answer, while a request is in flight and a full
   * batch already waits behind it, so that the answer only has to trigger a write. Core then either
   * {@linkplain PreparedBatch#send sends} it, once, in place of {@code publishBatch} with these very
   * messages in this order, or drops it unsent (a failure, retry, close or cancel changed what goes
   * next); it is never sent twice, nor after a drop. Null (the default): the driver does not prepare
   * requests, and core asks no more on this connection ({@code publishBatch} as before). A driver
   * that cannot pack these messages ahead returns {@code () -> publishBatch(messages)}.
   *
   * <pre>{@code
   * public PreparedBatch prepareBatch(List<BroadcastMessage> messages) {
   *   byte[] body = body(messages);
   *   return () -> Collections.nCopies(messages.size(), post(body));
   * }
   * }</pre>
   *
   * <p>A prepared request may wait for its turn (seconds, if the one in flight is slow): a driver
   * whose requests carry a time (a signature's timestamp) checks it when sending and signs again if
   * it is stale. Must not block, and must not hold what needs releasing: a dropped one is just
   * forgotten.
   */
  default PreparedBatch prepareBatch(List<BroadcastMessage> messages) {
    return null;
  }

  /**
   * A request built by {@link #prepareBatch} and not sent yet.
   *
   * <pre>{@code
   * PreparedBatch next = driver.prepareBatch(messages);
   * List<CompletableFuture<Void>> sent = next.send(); // as publishBatch(messages) would return
   * }</pre>
   */
  @FunctionalInterface
  interface PreparedBatch {
    /** Sends the request: the same contract and the same futures as {@link #publishBatch} of its messages. */
    List<CompletableFuture<Void>> send();
  }

  /**
   * Signs the answers to channel authorization requests in this driver's protocol. The default
   * answers as laravel-echo-server expects: {@code true}, or the presence member.
   */
  default ChannelAuthSigner authSigner() {
    return ChannelAuthSigner.PLAIN;
  }

  /**
   * Releases what the driver created, never what the application passed in, and stops its open
   * requests: no thread the driver started outlives it. Idempotent.
   */
  @Override
  default void close() {}
}
