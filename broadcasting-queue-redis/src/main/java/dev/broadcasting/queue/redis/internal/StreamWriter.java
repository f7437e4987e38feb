package dev.broadcasting.queue.redis.internal;

import dev.broadcasting.queue.redis.internal.WriteConnection.ErrorReply;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * Writes the entries of every producer thread to their partitions, in group commits: one producer
 * thread at a time leads, sends every entry waiting (its own and the others', up to
 * {@link #MAX_BATCH}) in one script call on the writer's own {@link WriteConnection}, reads the
 * answer, and wakes the others; then the next waiting producer leads. One call at a time, so the
 * entries of a partition are stored in the order they came; no other thread takes part, so a call
 * costs no hand-over to an event loop and back.
 *
 * <p>A call that fails because the connection broke, or because Redis is loading its data, is sent
 * again on a new connection until its oldest entry waited {@code commandTimeout}: a call sent
 * twice stores its entries twice, which at least once allows.
 *
 * <pre>{@code
 * StreamWriter.Write write = writer.write(3, message.id(), entry.encoded());
 * boolean stored = writer.stored(write); // false: the partition was full
 * }</pre>
 */
public final class StreamWriter implements AutoCloseable {
  /** Entries in one call at most: bounds the script's arguments and the time Redis spends in it. */
  static final int MAX_BATCH = 512;
  private static final long RETRY_PAUSE_NANOS = 50_000_000L;

  /** One entry on its way to its partition. */
  public static final class Write {
    private final int partition;
    private final String id;
    private final String entry;
    /** The entry itself, to hand over when a claim takes it; null: parsed from {@link #entry} then. */
    private final StreamEntry parsed;
    private final Thread producer = Thread.currentThread();
    private final long since = System.nanoTime();
    /** Null while on its way; then TRUE (stored), FALSE (partition full) or the failure. */
    private volatile Object outcome;

    private Write(int partition, String id, String entry, StreamEntry parsed) {
      this.partition = partition;
      this.id = id;
      this.entry = entry;
      this.parsed = parsed;
    }
  }

  /** The outcome of entries whose call got no answer within the command timeout. */
  private static final Object TIMED_OUT = new Object();

  private final QueueSettings settings;
  private final WriteConnection connection;
  private final ConcurrentLinkedQueue<Write> waiting = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean leading = new AtomicBoolean();
  /** The worker of this process, when it runs: writes claim for it. */
  private volatile WriteClaims claims;
  private volatile boolean closed;

  public StreamWriter(QueueSettings settings, WriteConnection connection) {
    this.settings = settings;
    this.connection = connection;
  }

  /**
   * Queues the entry of message {@code id}, {@code entry} from {@link StreamEntry#encoded()}, for
   * {@code partition}; {@link #stored} sends it and waits. Call both on the same thread.
   */
  public Write write(int partition, String id, String entry) {
    Write write = new Write(partition, id, entry, null);
    waiting.add(write);
    return write;
  }

  /** {@link #write(int, String, String)} of {@code entry}, which a claim hands over as it is. */
  public Write write(int partition, StreamEntry entry) {
    Write write = new Write(partition, entry.message().id(), entry.encoded(), entry);
    waiting.add(write);
    return write;
  }

  /** From now on, writes claim for this process's worker what they store in its partitions (null: no more). */
  public void claimFor(WriteClaims claims) {
    this.claims = claims;
  }

  /**
   * Waits until {@code write} is stored (true) or refused because its partition was full (false),
   * leading a call when none is on its way. Throws when Redis could not store it, or did not
   * answer within the command timeout (then it may or may not be stored).
   */
  public boolean stored(Write write) throws InterruptedException, ExecutionException, TimeoutException {
    long deadline = write.since + settings.commandTimeout().toNanos();
    while (write.outcome == null) {
      if (leading.compareAndSet(false, true)) {
        try {
          if (write.outcome == null) {
            lead();
          }
        } finally {
          leading.set(false);
          wakeNext();
        }
        continue;
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        giveUp(write);
        throw new TimeoutException();
      }
      LockSupport.parkNanos(this, left);
      if (Thread.interrupted()) {
        giveUp(write);
        throw new InterruptedException();
      }
    }
    Object outcome = write.outcome;
    if (outcome == TIMED_OUT) {
      throw new TimeoutException();
    }
    if (outcome instanceof Exception failure) {
      throw new ExecutionException(failure.getMessage(), failure);
    }
    return (Boolean) outcome;
  }

  /** Wakes the producer of the oldest waiting entry: it leads the next call. */
  private void wakeNext() {
    Write next = waiting.peek();
    if (next != null) {
      LockSupport.unpark(next.producer);
    }
  }

  /** Takes back an entry not sent yet; a wake-up meant for its producer goes to the next one. */
  private void giveUp(Write write) {
    waiting.remove(write);
    if (!leading.get()) {
      wakeNext();
    }
  }

  /** Sends what waits in one call, sent again as long as it may be; then tells every producer in it. */
  private void lead() {
    List<Write> batch = new ArrayList<>();
    Write next;
    while (batch.size() < MAX_BATCH && (next = waiting.poll()) != null) {
      batch.add(next);
    }
    if (batch.isEmpty()) {
      return;
    }
    long deadline = batch.get(0).since + settings.commandTimeout().toNanos();
    List<Integer> keys = keys(batch);
    WriteClaims claiming = claims;
    WriteClaims.Claim claim = claiming == null ? null : claiming.begin(keys);
    try {
      Object answer = call(batch, keys, claiming, claim, deadline);
      if (claim != null) {
        WriteClaims.Claim handing = claim;
        claim = null;
        answer = handOver(batch, keys, claiming, handing, answer);
      }
      settle(batch, answer);
    } finally {
      if (claim != null) {
        claiming.abandon(claim);
      }
    }
  }

  /**
   * Sends the call until it is answered or may no longer be sent. A claiming call that must be
   * sent again is abandoned first and sent without its claim (see {@link WriteClaims}).
   */
  private Object call(List<Write> batch, List<Integer> keys, WriteClaims claiming, WriteClaims.Claim claim,
      long deadline) {
    String[] command = command(batch, keys, claiming, claim);
    Object answer;
    while (true) {
      try {
        answer = connection.call(command);
        if (answer instanceof ErrorReply error && error.message().startsWith("NOSCRIPT")) {
          command[0] = "EVAL";
          command[1] = Scripts.ENQUEUE.source();
          answer = connection.call(command);
          command[0] = "EVALSHA";
          command[1] = Scripts.ENQUEUE.sha();
        }
        if (!(answer instanceof ErrorReply error) || !passing(error)) {
          break;
        }
        if (error.message().startsWith("READONLY")) {
          connection.disconnect(); // a replica now: the next connection asks the Sentinel again
        }
      } catch (WriteConnection.Refused e) {
        answer = e;
        break;
      } catch (IOException e) {
        answer = e;
      }
      if (claim != null) {
        claiming.abandon(claim);
        claim = null;
        command = command(batch, keys, null, null);
      }
      boolean giveUp = closed || Thread.currentThread().isInterrupted();
      if (giveUp || System.nanoTime() + RETRY_PAUSE_NANOS - deadline >= 0) {
        answer = answer instanceof ErrorReply error ? new IOException(error.message()) : TIMED_OUT;
        break;
      }
      LockSupport.parkNanos(RETRY_PAUSE_NANOS);
    }
    return answer;
  }

  /**
   * Hands what the claiming call took to the worker and returns the per-entry answer; a claim
   * whose read failed, or an answer that is not a claim's, is abandoned instead.
   */
  private Object handOver(List<Write> batch, List<Integer> keys, WriteClaims claiming, WriteClaims.Claim claim,
      Object answer) {
    if (!(answer instanceof List<?> parts) || parts.size() != 2 || !(parts.get(1) instanceof List<?> claimed)) {
      claiming.abandon(claim);
      return answer instanceof List<?> parts && parts.size() == 2 ? parts.get(0) : answer;
    }
    List<StreamWorkers.Taken> taken = new ArrayList<>(claimed.size());
    for (Object item : claimed) {
      List<?> one = (List<?>) item;
      int partition = keys.get(((Long) one.get(0)).intValue() - 1);
      String entryId = (String) one.get(1);
      int n = ((Long) one.get(2)).intValue();
      if (n > 0) {
        Write write = batch.get(n - 1);
        taken.add(new StreamWorkers.Taken(partition, entryId, write.parsed,
            Map.of(StreamEntry.ID, write.id, StreamEntry.ENTRY, write.entry)));
      } else {
        Map<String, String> fields = new LinkedHashMap<>();
        for (int f = 3; f + 1 < one.size(); f += 2) {
          fields.put(String.valueOf(one.get(f)), String.valueOf(one.get(f + 1)));
        }
        taken.add(new StreamWorkers.Taken(partition, entryId, null, fields));
      }
    }
    claiming.handOver(claim, taken);
    return parts.get(0);
  }

  /** Errors that pass once Redis has loaded its data, finished a script, or a new master took over. */
  private static boolean passing(ErrorReply error) {
    String message = error.message();
    return message.startsWith("LOADING") || message.startsWith("BUSY") || message.startsWith("MASTERDOWN")
        || message.startsWith("TRYAGAIN") || message.startsWith("READONLY");
  }

  private void settle(List<Write> batch, Object answer) {
    for (int i = 0; i < batch.size(); i++) {
      Write write = batch.get(i);
      if (answer instanceof List<?> stored && stored.size() == batch.size()) {
        write.outcome = Long.valueOf(1).equals(stored.get(i));
      } else if (answer instanceof ErrorReply error) {
        write.outcome = new IOException(error.message());
      } else if (answer == TIMED_OUT || answer instanceof Exception) {
        write.outcome = answer;
      } else {
        write.outcome = new IOException("Redis answered the write with " + answer);
      }
      if (write.producer != Thread.currentThread()) {
        LockSupport.unpark(write.producer);
      }
    }
  }

  /** The partitions the batch touches, in the order of the call's keys. */
  private static List<Integer> keys(List<Write> batch) {
    List<Integer> keys = new ArrayList<>(Math.min(batch.size(), 16));
    for (Write write : batch) {
      if (!keys.contains(write.partition)) {
        keys.add(write.partition);
      }
    }
    return keys;
  }

  /** EVALSHA of {@link Scripts#ENQUEUE} for the batch, claiming with {@code claim} unless it is null. */
  private String[] command(List<Write> batch, List<Integer> keys, WriteClaims claiming, WriteClaims.Claim claim) {
    int claimArgs = claim == null ? 1 : 4 + claim.partitions().size();
    String[] command = new String[3 + keys.size() + 1 + claimArgs + batch.size() * 3];
    command[0] = "EVALSHA";
    command[1] = Scripts.ENQUEUE.sha();
    command[2] = Integer.toString(keys.size());
    int at = 3;
    for (Integer partition : keys) {
      command[at++] = settings.stream(partition);
    }
    command[at++] = Long.toString(settings.maxLength());
    if (claim == null) {
      command[at++] = "0";
    } else {
      command[at++] = Integer.toString(claim.partitions().size());
      command[at++] = claiming.group();
      command[at++] = claiming.consumer();
      command[at++] = Integer.toString(claim.count());
      for (Integer partition : claim.partitions()) {
        command[at++] = Integer.toString(keys.indexOf(partition) + 1);
      }
    }
    Map<Integer, String> keyOf = new HashMap<>();
    for (int k = 0; k < keys.size(); k++) {
      keyOf.put(keys.get(k), Integer.toString(k + 1));
    }
    for (Write write : batch) {
      command[at++] = keyOf.get(write.partition);
      command[at++] = write.id;
      command[at++] = write.entry;
    }
    return command;
  }

  @Override
  public void close() {
    closed = true;
    connection.close();
  }
}
