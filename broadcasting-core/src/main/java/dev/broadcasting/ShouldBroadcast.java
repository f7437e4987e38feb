package dev.broadcasting;

import java.util.List;

/**
 * An event that is broadcast to channels. Only {@link #broadcastOn()} is required; the payload is
 * the event's own JSON, so a record is a complete event:
 *
 * <pre>{@code
 * record OrderShipped(long orderId, String carrier) implements ShouldBroadcast {
 *   public List<Channel> broadcastOn() {
 *     return List.of(new PrivateChannel("orders." + orderId));
 *   }
 * }
 *
 * broadcaster.broadcast(new OrderShipped(42, "UPS"));
 * }</pre>
 *
 * <p>Events are queued by default and sent off the caller's thread; implement
 * {@link ShouldBroadcastNow} instead to send on the caller's thread.
 */
public interface ShouldBroadcast {

  /** The channels the event goes to. An empty list sends nothing. */
  List<? extends Channel> broadcastOn();

  /** The event name clients listen for. Defaults to the simple class name, as in Laravel. */
  default String broadcastAs() {
    String simple = getClass().getSimpleName();
    return simple.isEmpty() ? getClass().getName() : simple;
  }

  /**
   * The payload, which must serialize through Jackson to a JSON object: a record, a POJO or a
   * {@code Map}. Defaults to the event itself.
   */
  default Object broadcastWith() {
    return this;
  }

  /** Whether to broadcast at all; evaluated once, when {@code broadcast} is called. */
  default boolean broadcastWhen() {
    return true;
  }

  /**
   * The connections to send on, by name, as Laravel's {@code broadcastConnections()}. Empty, the
   * default, means the broadcaster's default connection.
   */
  default List<String> broadcastConnections() {
    return List.of();
  }

  /**
   * How often and how patiently to retry this event when its driver fails, as Laravel's
   * {@code $tries} and {@code backoff()}. {@code null}, the default, uses the broadcaster's policy.
   */
  default RetryPolicy broadcastRetry() {
    return null;
  }
}
