package dev.broadcasting;

import dev.broadcasting.spi.BroadcastMessage;

/**
 * An event that will not be delivered: refused at intake (queue full, broadcaster closed) or
 * failed for good after its last attempt. Every such event reaches the failure handler
 * ({@link Broadcaster.Builder#onFailure}) exactly once.
 *
 * @param message the event as it was handed to the driver
 * @param connection the connection it was for
 * @param attempts how many times the driver was called; 0 when refused at intake
 * @param cause why, with a message naming the event class, its channels and the connection
 */
public record FailedBroadcast(BroadcastMessage message, String connection, int attempts, BroadcastException cause) {}
