package dev.broadcasting.queue.redis.internal;

import dev.broadcasting.queue.redis.internal.WriteConnection.ErrorReply;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
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
    private final Thread producer = Thread.currentThread();
    private final long since = System.nanoTime();
    /** Null while on its way; then TRUE (stored), FALSE (partition full) or the failure. */
    private volatile Object outcome;

    private Write(int partition, String id, String entry) {
      this.partition = partition;
      this.id = id;
      this.entry = entry;
    }
  }

  /** The outcome of entries whose call got no answer within the command timeout. */
  private static final Object TIMED_OUT = new Object();

  private final QueueSettings settings;
  private final WriteConnection connection;
  private final ConcurrentLinkedQueue<Write> waiting = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean leading = new AtomicBoolean();
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
    Write write = new Write(partition, id, entry);
    waiting.add(write);
    return write;
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
    String[] command = command(batch);
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
      boolean giveUp = closed || Thread.currentThread().isInterrupted();
      if (giveUp || System.nanoTime() + RETRY_PAUSE_NANOS - deadline >= 0) {
        answer = answer instanceof ErrorReply error ? new IOException(error.message()) : TIMED_OUT;
        break;
      }
      LockSupport.parkNanos(RETRY_PAUSE_NANOS);
    }
    settle(batch, answer);
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

  /** EVALSHA of {@link Scripts#ENQUEUE} for the batch: keys are the partitions it touches. */
  private String[] command(List<Write> batch) {
    Map<Integer, Integer> keyOf = new LinkedHashMap<>();
    for (Write write : batch) {
      keyOf.computeIfAbsent(write.partition, p -> keyOf.size() + 1);
    }
    String[] command = new String[3 + keyOf.size() + 1 + batch.size() * 3];
    command[0] = "EVALSHA";
    command[1] = Scripts.ENQUEUE.sha();
    command[2] = Integer.toString(keyOf.size());
    int at = 3;
    for (Integer partition : keyOf.keySet()) {
      command[at++] = settings.stream(partition);
    }
    command[at++] = Long.toString(settings.maxLength());
    for (Write write : batch) {
      command[at++] = keyOf.get(write.partition).toString();
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
