package dev.broadcasting.queue.redis.internal;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Writes the entries of every producer thread to their partitions, in group commits: while one
 * script call is on its way, the entries that arrive meanwhile wait, and go together in the next
 * (one round trip and one script for all of them, not one each). Each entry's future completes
 * when Redis answered the call that carried it: true when stored, false when its partition was
 * full. One call at a time, so the entries of a partition are stored in the order they came.
 *
 * <pre>{@code
 * CompletableFuture<Boolean> stored = writer.write(3, message.id(), entry.encoded());
 * }</pre>
 */
public final class StreamWriter {
  /** Entries in one call at most: bounds the script's arguments and the time Redis spends in it. */
  static final int MAX_BATCH = 512;

  private record Pending(int partition, String id, String entry, CompletableFuture<Boolean> stored) {}

  private final QueueSettings settings;
  private final RedisAsyncCommands<String, String> redis;
  private final ConcurrentLinkedQueue<Pending> waiting = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean inFlight = new AtomicBoolean();

  public StreamWriter(QueueSettings settings, RedisAsyncCommands<String, String> redis) {
    this.settings = settings;
    this.redis = redis;
  }

  /** Queues the entry of message {@code id}, {@code entry} from {@link StreamEntry#encoded()}, for {@code partition}. */
  public CompletableFuture<Boolean> write(int partition, String id, String entry) {
    Pending pending = new Pending(partition, id, entry, new CompletableFuture<>());
    waiting.add(pending);
    flush();
    return pending.stored();
  }

  /** Sends what waits, unless a call is on its way: its answer sends the rest. */
  private void flush() {
    while (!waiting.isEmpty() && inFlight.compareAndSet(false, true)) {
      List<Pending> batch = new ArrayList<>();
      Pending next;
      while (batch.size() < MAX_BATCH && (next = waiting.poll()) != null) {
        batch.add(next);
      }
      if (batch.isEmpty()) {
        inFlight.set(false); // another thread took them between the check and the poll
        continue;
      }
      send(batch).whenComplete((stored, error) -> {
        inFlight.set(false);
        flush(); // the next call goes before this one's writers wake up
        for (int i = 0; i < batch.size(); i++) {
          if (error != null) {
            batch.get(i).stored().completeExceptionally(error);
          } else {
            batch.get(i).stored().complete(((Long) stored.get(i)) == 1L);
          }
        }
      });
      return;
    }
  }

  private CompletableFuture<List<Object>> send(List<Pending> batch) {
    Map<Integer, Integer> keyOf = new LinkedHashMap<>();
    String[] args = new String[1 + batch.size() * 3];
    args[0] = Long.toString(settings.maxLength());
    int at = 1;
    for (Pending pending : batch) {
      Integer key = keyOf.computeIfAbsent(pending.partition(), p -> keyOf.size() + 1);
      args[at++] = key.toString();
      args[at++] = pending.id();
      args[at++] = pending.entry();
    }
    String[] keys = new String[keyOf.size()];
    keyOf.forEach((partition, key) -> keys[key - 1] = settings.stream(partition));
    try {
      return Scripts.ENQUEUE.run(redis, ScriptOutputType.MULTI, keys, args);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }
}
