package dev.broadcasting.spring;

import dev.broadcasting.Broadcaster;
import dev.broadcasting.ShouldBroadcast;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Broadcasts after the current transaction commits, and never when it rolls back: Laravel's
 * {@code afterCommit}. Outside a transaction it broadcasts at once. The auto-configured
 * {@code Broadcaster} bean already waits for the commit ({@link AfterCommitGate}); this class is for
 * a broadcaster built without that gate, and reads the event at the commit rather than at the call.
 *
 * <pre>{@code
 * @Transactional
 * void ship(long orderId) {
 *   orders.markShipped(orderId);
 *   broadcasts.broadcast(new OrderShipped(orderId));           // sent once the commit succeeded
 *   broadcasts.afterCommit(b -> b.toOthers(socketId).broadcast(new OrderShipped(orderId)));
 * }
 * }</pre>
 *
 * <p>The returned future completes when the event is sent, fails as {@link Broadcaster#broadcast}
 * does, and is cancelled when the transaction rolls back. The event is read (its channels and
 * payload) when the transaction commits, not when this is called.
 */
public final class TransactionalBroadcaster {
  private static final Logger log = LoggerFactory.getLogger(TransactionalBroadcaster.class);

  private final Broadcaster broadcaster;

  public TransactionalBroadcaster(Broadcaster broadcaster) {
    this.broadcaster = Objects.requireNonNull(broadcaster, "broadcaster");
  }

  /** Broadcasts {@code event} after the commit of the current transaction, or now when there is none. */
  public CompletableFuture<Void> broadcast(ShouldBroadcast event) {
    Objects.requireNonNull(event, "event");
    return afterCommit(b -> b.broadcast(event));
  }

  /** Runs {@code send} against the broadcaster after the commit, for {@code toOthers}, {@code via} and {@code on}. */
  public CompletableFuture<Void> afterCommit(Function<Broadcaster, CompletableFuture<Void>> send) {
    Objects.requireNonNull(send, "send");
    if (!TransactionSynchronizationManager.isSynchronizationActive()) {
      return send.apply(broadcaster);
    }
    CompletableFuture<Void> result = new CompletableFuture<>();
    TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
      @Override
      public void afterCommit() {
        try {
          send.apply(broadcaster).whenComplete((ok, error) -> {
            if (error == null) {
              result.complete(null);
            } else {
              result.completeExceptionally(error);
            }
          });
        } catch (RuntimeException e) {
          log.error("Broadcasting after the commit failed", e);
          result.completeExceptionally(e);
        }
      }

      @Override
      public void afterCompletion(int status) {
        if (status != STATUS_COMMITTED && !result.isDone()) {
          log.debug("The transaction did not commit; the broadcast is dropped");
          result.completeExceptionally(new CancellationException("the transaction rolled back; nothing was broadcast"));
        }
      }
    });
    return result;
  }
}
