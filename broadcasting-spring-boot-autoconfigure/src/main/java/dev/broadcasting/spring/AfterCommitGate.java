package dev.broadcasting.spring;

import dev.broadcasting.BroadcastEvent;
import dev.broadcasting.BroadcastGate;
import dev.broadcasting.Broadcaster;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Holds the broadcasts made inside a Spring transaction until it commits, and drops them when it
 * rolls back: Laravel's {@code afterCommit}, for every {@link Broadcaster} call. Outside a
 * transaction a broadcast goes at once. The starter sets it on the {@code Broadcaster} bean;
 * {@code broadcasting.after-commit=false} holds back only {@link ShouldBroadcastAfterCommit} events.
 *
 * <pre>{@code
 * Broadcaster broadcaster = Broadcaster.builder().connection("pusher", "pusher", settings)
 *     .gate(AfterCommitGate.always())
 *     .build();
 * }</pre>
 *
 * <p>The event is serialized when {@code broadcast} is called, so later changes to it are not
 * sent. A held broadcast's future completes once it is sent after the commit; after a rollback it
 * is cancelled ({@link CancellationException}), and neither the listeners nor the failure handler
 * hear of it. A batch from {@code broadcastAll} waits as a whole when any of its events waits.
 */
public final class AfterCommitGate implements BroadcastGate {
  private static final Logger log = LoggerFactory.getLogger(AfterCommitGate.class);

  private final boolean all;

  private AfterCommitGate(boolean all) {
    this.all = all;
  }

  /** Holds back every broadcast made in a transaction. */
  public static AfterCommitGate always() {
    return new AfterCommitGate(true);
  }

  /** Holds back only the {@link ShouldBroadcastAfterCommit} events made in a transaction. */
  public static AfterCommitGate whenMarked() {
    return new AfterCommitGate(false);
  }

  @Override
  public CompletableFuture<Void> admit(List<BroadcastEvent> events, Supplier<CompletableFuture<Void>> dispatch) {
    if (!TransactionSynchronizationManager.isSynchronizationActive() || !waits(events)) {
      return dispatch.get();
    }
    CompletableFuture<Void> result = new CompletableFuture<>();
    // afterCompletion, not afterCommit: a synchronization registered while others run their
    // afterCommit (a @TransactionalEventListener that broadcasts) is only called back there.
    TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
      @Override
      public void afterCompletion(int status) {
        if (status != STATUS_COMMITTED) {
          log.debug("The transaction did not commit; {} broadcast(s) dropped", events.size());
          result.completeExceptionally(new CancellationException(
              "the transaction did not commit; nothing was broadcast: " + events.get(0).describe()));
          return;
        }
        try {
          dispatch.get().whenComplete((ok, error) -> {
            if (error == null) {
              result.complete(null);
            } else {
              result.completeExceptionally(error);
            }
          });
        } catch (RuntimeException e) {
          log.error("Broadcasting {} after the commit failed", events.get(0).describe(), e);
          result.completeExceptionally(e);
        }
      }
    });
    return result;
  }

  private boolean waits(List<BroadcastEvent> events) {
    return all || events.stream().anyMatch(event -> event.source() instanceof ShouldBroadcastAfterCommit);
  }

  @Override
  public String toString() {
    return all ? "AfterCommitGate.always()" : "AfterCommitGate.whenMarked()";
  }
}
