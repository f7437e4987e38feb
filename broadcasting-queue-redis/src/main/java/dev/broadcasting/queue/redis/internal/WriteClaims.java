package dev.broadcasting.queue.redis.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Lets a write claim what it stores for this process's worker: for the partitions the worker owns,
 * the write's own script also reads the new entries into the worker's pending list, and the writer
 * leaves them here for the worker, so they are never read back and decoded. The worker takes them
 * all at once when its pause ends, so the dispatcher gets them together, as from one read.
 *
 * <p>Order: the worker and the claiming writes take turns. The worker is <em>reading</em> whenever
 * it talks to Redis about its partitions (reads, recovery, leases); it stops only while it pauses.
 * A write claims only while the worker pauses, and holds this object's lock from the decision to
 * the hand-over; the worker, when its pause ends, takes what was claimed under the same lock and
 * submits it before it reads again. A claim never starts while a read is on its way, so each entry
 * reaches the dispatcher after every earlier entry of its partition, whichever path took it. A
 * claiming call whose answer did not come back (its entries may be pending with no one holding
 * them) sends its partitions back to recovery, which hands over the worker's own pending entries,
 * oldest first, before anything new.
 *
 * <pre>{@code
 * WriteClaims.Claim claim = claims.begin(partitionsOfTheBatch);   // null: write without claiming
 * // ... the call ...
 * claims.handOver(claim, taken);   // or claims.abandon(claim) when the answer was lost
 * List<StreamWorkers.Taken> claimed = claims.reading();   // the worker, when its pause ends
 * }</pre>
 */
public final class WriteClaims {
  /** What one write claims: the partitions, and how many entries of each at most. */
  record Claim(List<Integer> partitions, int count) {}

  private final StreamWorkers workers;
  private final ReentrantLock lock = new ReentrantLock();
  /** Guarded by {@link #lock}. */
  private boolean reading = true;
  /** Claimed and not yet taken by the worker, in the order claimed; guarded by {@link #lock}. */
  private List<StreamWorkers.Taken> claimed = new ArrayList<>();
  private final AtomicLong handedOver = new AtomicLong();

  WriteClaims(StreamWorkers workers) {
    this.workers = workers;
  }

  /**
   * The worker is about to talk to Redis: no claim starts, one on its way hands over first, and
   * what was claimed is returned, for the worker to submit before anything it reads.
   */
  List<StreamWorkers.Taken> reading() {
    lock.lock();
    try {
      reading = true;
      List<StreamWorkers.Taken> taken = claimed;
      if (!taken.isEmpty()) {
        claimed = new ArrayList<>();
      }
      return taken;
    } finally {
      lock.unlock();
    }
  }

  /** The worker pauses: writes may claim. */
  void paused() {
    lock.lock();
    reading = false;
    lock.unlock();
  }

  /** Claiming writes that handed entries over so far: while it moves, the worker has no need to read. */
  long handedOver() {
    return handedOver.get();
  }

  /** The consumer group and this worker's name in it, for the script's read. */
  String group() {
    return workers.group();
  }

  String consumer() {
    return workers.consumer();
  }

  /**
   * A claim on those of {@code partitions} the worker owns and has recovered, holding the lock
   * until {@link #handOver} or {@link #abandon}; null (nothing held) when the worker is reading,
   * stopping, or has no room.
   */
  Claim begin(Collection<Integer> partitions) {
    if (!lock.tryLock()) {
      return null; // the worker is about to read: this write leaves its entries to the read
    }
    List<Integer> claimable = new ArrayList<>(partitions.size());
    int room = 0;
    if (!reading && !workers.stopping()) {
      for (Integer partition : partitions) {
        if (workers.claimable(partition)) {
          claimable.add(partition);
        }
      }
      room = workers.room() - claimed.size();
    }
    if (claimable.isEmpty() || room <= 0) {
      lock.unlock();
      return null;
    }
    return new Claim(claimable, Math.max(1, room / claimable.size()));
  }

  /** Leaves what {@code claim} took, in stream order per partition, for the worker; then lets it read. */
  void handOver(Claim claim, List<StreamWorkers.Taken> taken) {
    try {
      claimed.addAll(taken);
      handedOver.incrementAndGet();
    } finally {
      lock.unlock();
    }
  }

  /** The claiming call's answer is lost: its partitions recover before the worker reads anything new. */
  void abandon(Claim claim) {
    try {
      workers.recoverFirst(claim.partitions());
    } finally {
      lock.unlock();
    }
  }

  /** Waits for a claim on its way to hand over; none starts after (the worker is stopping). */
  List<StreamWorkers.Taken> stopped() {
    return reading();
  }
}
