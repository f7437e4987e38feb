package dev.broadcasting;

import java.time.Duration;

/**
 * A durable queue as its store sees it now, for metrics and health checks: what
 * {@link BroadcastListener#onQueueStats} receives, and what a queue such as
 * {@code RedisStreamQueue.stats()} returns.
 *
 * <pre>{@code
 * QueueStats stats = queue.stats();
 * gauge("broadcast.queue.depth", stats.depth());
 * gauge("broadcast.queue.lag.seconds", stats.lag().toSeconds());
 * }</pre>
 *
 * @param depth events written and not yet delivered or failed, in every partition
 * @param inHand of those, how many a worker has read and not yet settled
 * @param lag the age of the oldest event not yet delivered; zero when the queue is empty
 * @param failed events in the failed stream
 * @param workers worker processes that reported within the last three lease times
 */
public record QueueStats(long depth, long inHand, Duration lag, long failed, long workers) {}
