package dev.broadcasting.queue.redis.internal;

import java.time.Duration;

/**
 * The queue's settings, checked by {@code RedisStreamQueue.Builder}.
 *
 * @param prefix the start of every key the queue uses
 * @param maxLength the most undelivered entries one partition holds; a write beyond it is refused
 * @param failedMaxLength about how many failed events are kept (MAXLEN ~); the oldest go first
 * @param leaseTtl how long a partition stays with a worker that stopped renewing it
 * @param claimIdle how long an entry must sit unacknowledged before a new owner claims it
 * @param readCount the most entries read from the streams at once
 * @param readLinger how long a worker waits after a read that found fewer entries than it asked for
 * @param maxInHand the most entries one process holds in its dispatcher at once
 * @param workers whether this process runs workers
 * @param trackLimit the most outcomes this producer waits for at once
 */
public record QueueSettings(String prefix, int partitions, long maxLength, long failedMaxLength, Duration leaseTtl,
    Duration claimIdle, int readCount, Duration readLinger, int maxInHand, Duration commandTimeout, boolean workers, int trackLimit) {

  public String stream(int partition) {
    return prefix + ":p" + partition;
  }

  public String failedStream() {
    return prefix + ":failed";
  }

  public String lease(int partition) {
    return prefix + ":lease:" + partition;
  }

  public String workersKey() {
    return prefix + ":workers";
  }

  public String noticeChannel(String producer) {
    return prefix + ":settled:" + producer;
  }

  /** Where a producer's outcomes are kept for it to read back after missing their notices. */
  public String outcomesStream(String producer) {
    return prefix + ":outcomes:" + producer;
  }

  /** How long a producer's outcomes stream outlives its last outcome: a dead producer's goes away. */
  public Duration outcomesTtl() {
    return Duration.ofHours(1);
  }

  public String group() {
    return "workers";
  }
}
