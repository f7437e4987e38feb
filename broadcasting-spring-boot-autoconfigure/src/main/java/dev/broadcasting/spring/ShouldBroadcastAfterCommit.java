package dev.broadcasting.spring;

import dev.broadcasting.ShouldBroadcast;

/**
 * Marks an event that waits for the commit of the transaction it is broadcast in, even when
 * {@code broadcasting.after-commit=false} lets the others go at once: Laravel's
 * {@code ShouldDispatchAfterCommit}.
 *
 * <pre>{@code
 * record OrderShipped(long id) implements ShouldBroadcast, ShouldBroadcastAfterCommit {
 *   public List<Channel> broadcastOn() { return List.of(new PrivateChannel("orders." + id)); }
 * }
 * }</pre>
 */
public interface ShouldBroadcastAfterCommit extends ShouldBroadcast {}
