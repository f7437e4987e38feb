package dev.broadcasting;

/**
 * An event that will not be delivered: refused at intake (queue full, broadcaster closed), failed
 * for good after its last attempt, or abandoned at close. Every such event reaches the failure
 * handler ({@link Broadcaster.Builder#onFailure}) exactly once, whatever path it took, a
 * {@link ShouldBroadcastNow} event and a {@code broadcastAll} batch included.
 *
 * <pre>{@code
 * .onFailure(failed -> log.warn("{} lost on {}", failed.event().name(), failed.connection()))
 * }</pre>
 *
 * @param event the event as the application broadcast it
 * @param connection the connection it was for
 * @param attempts how many times the driver was called; 0 when refused at intake
 * @param cause why, with a message naming the event class, its channels and the connection
 */
public record FailedBroadcast(BroadcastEvent event, String connection, int attempts, BroadcastException cause) {}
