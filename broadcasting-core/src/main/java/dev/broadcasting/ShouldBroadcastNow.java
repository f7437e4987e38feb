package dev.broadcasting;

/**
 * An event that is sent on the caller's thread instead of being queued, as Laravel's
 * {@code ShouldBroadcastNow}. It takes the same path as every other event, with these differences:
 *
 * <ul>
 *   <li>When no earlier event of one of its channels (on that connection) is still pending, the
 *       attempt runs on the caller's thread, and {@code broadcast} returns a future that is already
 *       complete: {@code join()} shows a driver failure at once.
 *   <li>It never overtakes: when earlier events of its channels are still queued or in retry, it
 *       waits behind them like a queued event, and {@code broadcast} returns at once with a
 *       future that completes when it is sent. So Q1, N3, Q2 on one channel arrive as Q1, N3, Q2.
 *   <li>One attempt unless the event gives its own {@link #broadcastRetry()}.
 * </ul>
 *
 * <p>Its failures reach the listeners and the failure handler like any other.
 *
 * <pre>{@code
 * record PaymentConfirmed(long orderId) implements ShouldBroadcastNow {
 *   public List<Channel> broadcastOn() { return List.of(new PrivateChannel("orders." + orderId)); }
 * }
 * broadcaster.broadcast(new PaymentConfirmed(42)).join(); // sent, or throws, before the next line
 * }</pre>
 */
public interface ShouldBroadcastNow extends ShouldBroadcast {}
