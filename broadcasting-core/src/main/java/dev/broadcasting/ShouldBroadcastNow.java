package dev.broadcasting;

/**
 * An event that is sent at once on the caller's thread, bypassing the queue. A driver failure
 * completes the returned future exceptionally before {@code broadcast} returns, so the caller can
 * {@code join()} and see it.
 */
public interface ShouldBroadcastNow extends ShouldBroadcast {}
