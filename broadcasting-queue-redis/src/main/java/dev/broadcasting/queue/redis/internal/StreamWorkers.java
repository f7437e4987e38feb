package dev.broadcasting.queue.redis.internal;

import dev.broadcasting.BroadcastException;
import dev.broadcasting.spi.BroadcastQueue;
import io.lettuce.core.Consumer;
import io.lettuce.core.Range;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XAutoClaimArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.XReadArgs.StreamOffset;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.models.stream.ClaimedMessages;
import io.lettuce.core.models.stream.PendingMessages;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The workers of one process: a thread that holds leases on its share of the partitions, recovers
 * what a dead owner left (XAUTOCLAIM), reads new entries (XREADGROUP), and hands each to the
 * broadcaster's dispatcher in stream order; {@link Settlements} acknowledges them after.
 *
 * <p>Order: a partition has one owner at a time (its lease), the owner submits its entries in
 * stream order, and the dispatcher keeps that order per channel. A new owner sends the entries a
 * dead one left before any new entry. An owner that loses its lease (it stalled past the lease
 * time) stops reading at once, but what it already holds still goes out: at least once.
 */
public final class StreamWorkers {
  private static final Logger log = LoggerFactory.getLogger(StreamWorkers.class);
  private static final Duration BLOCK = Duration.ofMillis(50);

  private final QueueSettings settings;
  private final RedisAsyncCommands<String, String> redis;
  private final ReadConnection reads;
  private final BroadcastQueue.Delivery delivery;
  private final Settlements settlements;
  private final String me;
  private final Map<String, Partition> owned = new ConcurrentHashMap<>();
  /** Per stream, the entries this process holds, kept across a lease lost and taken again. */
  private final Map<String, Set<String>> held = new ConcurrentHashMap<>();
  private final AtomicInteger inHand = new AtomicInteger();
  private final Thread thread;
  private volatile boolean stopping;

  /** A partition this process holds the lease of, and the entries of it in the dispatcher now. */
  static final class Partition {
    final int index;
    final String stream;
    final Set<String> inHand;
    volatile boolean recovered;
    long nextRecovery;

    Partition(int index, String stream, Set<String> inHand) {
      this.index = index;
      this.stream = stream;
      this.inHand = inHand;
    }
  }

  public StreamWorkers(QueueSettings settings, RedisAsyncCommands<String, String> redis,
      ReadConnection reads, BroadcastQueue.Delivery delivery, Outcomes outcomes) {
    this.settings = settings;
    this.redis = redis;
    this.reads = reads;
    this.delivery = delivery;
    this.me = outcomes.producer();
    this.settlements = new Settlements(settings, redis, outcomes);
    this.thread = new Thread(this::run, "broadcasting-queue-worker");
    thread.setDaemon(true);
  }

  public void start() {
    thread.start();
  }

  /** The partitions this process holds now. */
  public Set<Integer> partitions() {
    Set<Integer> indexes = new java.util.TreeSet<>();
    owned.values().forEach(p -> indexes.add(p.index));
    return indexes;
  }

  /** Stops reading; what the dispatcher holds still settles and is acknowledged. */
  public void stop() {
    stopping = true;
    settlements.stopping();
    try {
      thread.join(settings.commandTimeout().toMillis() + BLOCK.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** After the dispatcher drained: the last acknowledgements, then the leases go back. */
  public void close() {
    settlements.close();
    for (Partition partition : owned.values()) {
      try {
        Redis.await(Scripts.RELEASE.run(redis, ScriptOutputType.INTEGER, new String[] {settings.lease(partition.index)},
            me), settings);
      } catch (RuntimeException e) {
        log.debug("Could not release the lease of partition {}; it expires by itself", partition.index, e);
      }
    }
    owned.clear();
    try {
      Redis.await(redis.zrem(settings.workersKey(), me), settings);
    } catch (RuntimeException e) {
      log.debug("Could not leave the workers set; the entry ages out", e);
    }
  }

  private void run() {
    long nextTick = 0;
    long quietUntil = 0;
    boolean groups = false;
    while (!stopping) {
      try {
        if (!groups) {
          ensureGroups();
          groups = true;
        }
        long now = System.nanoTime();
        if (now - nextTick >= 0) {
          maintain();
          nextTick = now + settings.leaseTtl().toNanos() / 3;
        }
        recover(now);
        read();
      } catch (RuntimeException e) {
        // An answer lost with the connection may have held entries, now pending under this worker
        // but in no one's hand: every partition recovers again before anything new is read.
        for (Partition partition : owned.values()) {
          partition.recovered = false;
          partition.nextRecovery = System.nanoTime();
        }
        if (String.valueOf(e.getMessage()).contains("NOGROUP")) {
          groups = false; // the server lost its data: the groups come back, the entries cannot
        }
        if (System.nanoTime() - quietUntil >= 0) {
          log.warn("The queue's worker cannot reach Redis ({}); retrying", e.toString());
          quietUntil = System.nanoTime() + 5_000_000_000L;
        }
        pause(Duration.ofMillis(200));
      }
    }
  }

  private void ensureGroups() {
    for (int i = 0; i < settings.partitions(); i++) {
      try {
        Redis.await(redis.xgroupCreate(StreamOffset.from(settings.stream(i), "0-0"), settings.group(),
            io.lettuce.core.XGroupCreateArgs.Builder.mkstream()), settings);
      } catch (RuntimeException e) {
        if (!String.valueOf(e.getMessage()).contains("BUSYGROUP")) {
          throw e;
        }
      }
    }
  }

  /** Heartbeat, renew what is held, give back what is beyond the fair share, take free partitions. */
  private void maintain() {
    long nowMs = System.currentTimeMillis();
    long ttl = settings.leaseTtl().toMillis();
    redis.zadd(settings.workersKey(), nowMs, me);
    redis.zremrangebyscore(settings.workersKey(), Range.create(0, nowMs - 3 * ttl));
    long alive = Math.max(1, Redis.await(redis.zcard(settings.workersKey()), settings));
    int share = (int) ((settings.partitions() + alive - 1) / alive);
    for (Partition partition : List.copyOf(owned.values())) {
      Long held = Redis.await(Scripts.RENEW.run(redis, ScriptOutputType.INTEGER,
          new String[] {settings.lease(partition.index)}, me, Long.toString(ttl)), settings);
      if (held == null || held == 0) {
        owned.remove(partition.stream);
        log.warn("Partition {} of the queue was taken over after this worker missed its lease time ({}); "
            + "its {} events in hand may be sent twice", partition.index, settings.leaseTtl(), partition.inHand.size());
      }
    }
    for (Partition partition : List.copyOf(owned.values())) {
      if (owned.size() <= share) {
        break;
      }
      if (partition.inHand.isEmpty() && settlements.idle()) {
        owned.remove(partition.stream);
        Redis.await(Scripts.RELEASE.run(redis, ScriptOutputType.INTEGER, new String[] {settings.lease(partition.index)},
            me), settings);
      }
    }
    int start = ThreadLocalRandom.current().nextInt(settings.partitions());
    for (int k = 0; k < settings.partitions() && owned.size() < share; k++) {
      int index = (start + k) % settings.partitions();
      String stream = settings.stream(index);
      if (!owned.containsKey(stream)
          && "OK".equals(Redis.await(redis.set(settings.lease(index), me, SetArgs.Builder.nx().px(ttl)), settings))) {
        owned.put(stream, new Partition(index, stream, held.computeIfAbsent(stream, s -> ConcurrentHashMap.newKeySet())));
      }
    }
  }

  /**
   * Before reading anything new from a partition, sends what is pending in it and in no one's
   * hand, in stream order: what a dead owner left, and what this worker read when the answer was
   * lost with the connection or the server. First the entries of other consumers idle for
   * {@code claimIdle} become this worker's (XAUTOCLAIM, ids only); while another consumer still
   * holds any, the partition waits. Then this worker's own pending entries are read back from the
   * start (XREADGROUP from 0) and the ones it does not hold are sent, oldest first, so that no
   * entry is sent after a later one of its partition. Once recovered, the same sweep runs every
   * {@code claimIdle} as a safety net.
   */
  private void recover(long now) {
    for (Partition partition : owned.values()) {
      if (now - partition.nextRecovery < 0) {
        continue;
      }
      partition.nextRecovery = now + (partition.recovered ? settings.claimIdle().toNanos() : 100_000_000L);
      String cursor = "0-0";
      do {
        ClaimedMessages<String, String> claimed = Redis.await(redis.xautoclaim(partition.stream,
            XAutoClaimArgs.Builder.xautoclaim(Consumer.from(settings.group(), me), settings.claimIdle(), cursor)
                .justid().count(settings.readCount())), settings);
        cursor = claimed.getId();
      } while (!"0-0".equals(cursor) && !stopping);
      PendingMessages pending = Redis.await(redis.xpending(partition.stream, settings.group()), settings);
      if (pending.getConsumerMessageCount().keySet().stream().allMatch(me::equals)) {
        sendOwnPending(partition);
        partition.recovered = true;
      }
    }
  }

  /** This worker's pending entries of {@code partition} that it does not hold, oldest first. */
  private void sendOwnPending(Partition partition) {
    String after = "0-0";
    List<StreamMessage<String, String>> history;
    do {
      // Held before the read, not at the check: an entry whose acknowledgement lands while the
      // answer is on its way is still pending in the answer but already released here, and
      // checking the live set would send it a second time.
      Set<String> holding = Set.copyOf(partition.inHand);
      history = reads.commands().xreadgroup(Consumer.from(settings.group(), me), XReadArgs.Builder.count(settings.readCount()),
          StreamOffset.from(partition.stream, after));
      List<StreamMessage<String, String>> notHeld = new ArrayList<>();
      for (StreamMessage<String, String> message : history) {
        if (!holding.contains(message.getId())) {
          notHeld.add(message);
        }
        after = message.getId();
      }
      submit(notHeld, Map.of(partition.stream, partition));
    } while (!history.isEmpty() && !stopping);
  }

  private void read() {
    List<StreamOffset<String>> offsets = new ArrayList<>();
    Map<String, Partition> byStream = new LinkedHashMap<>();
    for (Partition partition : owned.values()) {
      if (partition.recovered) {
        offsets.add(StreamOffset.lastConsumed(partition.stream));
        byStream.put(partition.stream, partition);
      }
    }
    int room = settings.maxInHand() - inHand.get();
    if (offsets.isEmpty() || room <= 0) {
      pause(Duration.ofMillis(offsets.isEmpty() ? 50 : 2));
      return;
    }
    @SuppressWarnings("unchecked")
    StreamOffset<String>[] streams = offsets.toArray(StreamOffset[]::new);
    int count = Math.max(1, Math.min(settings.readCount(), room / offsets.size()));
    List<StreamMessage<String, String>> messages = reads.commands().xreadgroup(Consumer.from(settings.group(), me),
        XReadArgs.Builder.count(count).block(BLOCK), streams);
    submit(messages, byStream);
    if (!messages.isEmpty() && messages.size() < count && !settings.readLinger().isZero()) {
      pause(settings.readLinger()); // lets entries gather: fewer reads, wake-ups and acknowledgements per event
    }
  }

  /** An entry read and parsed, for its partition. */
  private record Taken(Partition partition, String entryId, StreamEntry entry) {}

  /**
   * Parses every entry read, then hands them to the dispatcher one right after the other: the
   * dispatcher's drain, woken by the first, then finds the others waiting and sends them to the
   * driver together, not one by one as they would trickle in between parses.
   */
  private void submit(List<StreamMessage<String, String>> messages, Map<String, Partition> byStream) {
    List<Taken> taken = new ArrayList<>(messages.size());
    for (StreamMessage<String, String> message : messages) {
      Partition partition = byStream.get(message.getStream());
      if (partition == null) {
        continue;
      }
      try {
        taken.add(new Taken(partition, message.getId(),
            StreamEntry.parse(partition.stream, message.getId(), message.getBody())));
      } catch (BroadcastException e) {
        log.error(e.getMessage());
        settlements.unreadable(partition.stream, message, e.getMessage());
      }
    }
    for (Taken one : taken) {
      one.partition().inHand.add(one.entryId());
    }
    inHand.addAndGet(taken.size());
    for (Taken one : taken) {
      Partition partition = one.partition();
      StreamEntry entry = one.entry();
      delivery.deliver(entry.connection(), List.of(entry.message()), entry.policy()).whenComplete((ok, error) ->
          settlements.settled(partition.stream, one.entryId(), entry, error, () -> {
            partition.inHand.remove(one.entryId());
            inHand.decrementAndGet();
          }));
    }
  }

  private static void pause(Duration duration) {
    try {
      TimeUnit.NANOSECONDS.sleep(duration.toNanos());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
