package dev.broadcasting;

import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Decides when a broadcast enters the queue: at once (the default), or later, for example once the
 * caller's database transaction has committed (Laravel's {@code afterCommit}). The broadcaster
 * serializes and checks every event first, so a wrong event still fails on the caller's thread;
 * only then it asks the gate, once per {@code broadcast}/{@code broadcastAll} call.
 *
 * <pre>{@code
 * Broadcaster broadcaster = Broadcaster.builder()
 *     .connection("pusher", "pusher", settings)
 *     .gate((events, dispatch) -> unitOfWork.isOpen() ? unitOfWork.onCommit(dispatch) : dispatch.get())
 *     .build();
 * }</pre>
 *
 * <p>A gate returns the future the caller gets. It calls {@code dispatch} at most once, on any
 * thread; the future {@code dispatch} returns completes when the events are sent or have failed,
 * and the gate's future should follow it. A gate that decides never to send (the transaction rolled
 * back) completes its future exceptionally with a {@link CancellationException} saying why: the
 * events never reached the queue, so no listener and no {@code onFailure} handler hears of them;
 * that is a decision, not a delivery failure.
 */
@FunctionalInterface
public interface BroadcastGate {

  /**
   * Sends {@code events} now or later by calling {@code dispatch}, or never.
   *
   * @param events the events of one call, in order, as listeners will see them
   * @param dispatch hands the events to the queue; returns the future of their sending
   * @return the future the caller of {@code broadcast} gets; never null
   */
  CompletableFuture<Void> admit(List<BroadcastEvent> events, Supplier<CompletableFuture<Void>> dispatch);

  /** The default gate: every broadcast enters the queue at once. */
  static BroadcastGate open() {
    return (events, dispatch) -> dispatch.get();
  }
}
