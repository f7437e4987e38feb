package dev.broadcasting.queue.redis.internal;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Acknowledges what the workers settled, only after: a delivered entry is acknowledged and deleted
 * in one step, a failed one moves to the failed stream with its reason in one step. Settlements
 * that pile up while an acknowledgement is on its way go out together, in one script, which also
 * tells their producers in other processes (a producer in this one is told directly).
 *
 * <p>An entry whose delivery ended because the broadcaster was closing is left pending, not
 * failed: the next owner of its partition claims and sends it.
 */
final class Settlements {
  private static final Logger log = LoggerFactory.getLogger(Settlements.class);
  /** Entries in one acknowledgement at most: bounds the script's arguments. */
  private static final int MAX_BATCH = 512;

  /** @param released called once the entry is acknowledged or moved: it no longer needs its worker */
  private record Settled(String stream, String entryId, StreamEntry entry, String reason, Runnable released) {}

  private final QueueSettings settings;
  private final RedisAsyncCommands<String, String> redis;
  private final Outcomes outcomes;
  private final ConcurrentLinkedQueue<Settled> waiting = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean inFlight = new AtomicBoolean();
  private final AtomicInteger unsent = new AtomicInteger();
  private final ScheduledExecutorService retryTimer = Executors.newSingleThreadScheduledExecutor(task -> {
    Thread thread = new Thread(task, "broadcasting-queue-ack");
    thread.setDaemon(true);
    return thread;
  });
  private volatile boolean stopping;

  Settlements(QueueSettings settings, RedisAsyncCommands<String, String> redis, Outcomes outcomes) {
    this.settings = settings;
    this.redis = redis;
    this.outcomes = outcomes;
  }

  void stopping() {
    stopping = true;
  }

  /** Nothing settled and not yet acknowledged. */
  boolean idle() {
    return unsent.get() == 0;
  }

  /**
   * Acknowledges a delivered entry, or moves a failed one; then {@code released} runs. Until then
   * the worker counts the entry as its own, so that its sweep does not send it again.
   */
  void settled(String stream, String entryId, StreamEntry entry, Throwable error, Runnable released) {
    if (error != null && stopping) {
      log.debug("Entry {} of {} stays pending for the next worker: {}", entryId, stream, error.toString());
      released.run();
      return;
    }
    String reason = error == null ? null : reason(error);
    unsent.incrementAndGet();
    waiting.add(new Settled(stream, entryId, entry, reason, released));
    flush();
  }

  /** An entry that is not a queued broadcast goes to the failed stream as it is, with the reason. */
  void unreadable(String stream, StreamMessage<String, String> message, String reason) {
    Map<String, String> fields = new LinkedHashMap<>(message.getBody());
    fail(stream, message.getId(), fields, reason);
  }

  /**
   * Sends what waits, unless an acknowledgement is on its way: its answer sends what piled up
   * meanwhile, in one script for every stream.
   */
  private void flush() {
    while (!waiting.isEmpty() && inFlight.compareAndSet(false, true)) {
      Map<String, List<Settled>> delivered = new LinkedHashMap<>();
      int taken = 0;
      Settled settled;
      while (taken < MAX_BATCH && (settled = waiting.poll()) != null) {
        taken++;
        if (settled.reason() == null) {
          delivered.computeIfAbsent(settled.stream(), s -> new ArrayList<>()).add(settled);
        } else {
          Settled failed = settled;
          fail(failed.stream(), failed.entryId(), failed.entry().fields(), failed.reason())
              .whenComplete((ok, error) -> done(failed, error));
        }
      }
      if (delivered.isEmpty()) {
        inFlight.set(false);
        continue;
      }
      acknowledge(delivered).whenComplete((ok, error) -> {
        inFlight.set(false);
        flush();
        delivered.values().forEach(entries -> entries.forEach(entry -> done(entry, error)));
      });
      return;
    }
  }

  /** One script for the batch: acknowledges and deletes, and tells the producers of other processes. */
  private CompletableFuture<Long> acknowledge(Map<String, List<Settled>> delivered) {
    Map<String, List<String>> elsewhere = new LinkedHashMap<>();
    List<String> args = new ArrayList<>();
    args.add(settings.group());
    args.add(Integer.toString(settings.trackLimit()));
    args.add(Long.toString(settings.outcomesTtl().toMillis()));
    args.add(Integer.toString(delivered.size()));
    delivered.values().forEach(entries -> {
      args.add(Integer.toString(entries.size()));
      for (Settled entry : entries) {
        args.add(entry.entryId());
        String producer = entry.entry().producer();
        if (!outcomes.mine(producer) && !producer.isEmpty()) {
          elsewhere.computeIfAbsent(producer, p -> new ArrayList<>()).add(entry.entry().message().id());
        }
      }
    });
    List<String> keys = new ArrayList<>(delivered.keySet());
    elsewhere.forEach((producer, messageIds) -> {
      keys.add(settings.outcomesStream(producer));
      args.add(settings.noticeChannel(producer));
      args.add(Integer.toString(messageIds.size()));
      args.addAll(messageIds);
    });
    try {
      return Scripts.ACK.run(redis, ScriptOutputType.INTEGER, keys.toArray(String[]::new),
          args.toArray(String[]::new));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private CompletableFuture<Object> fail(String stream, String entryId, Map<String, String> fields, String reason) {
    fields.put("reason", reason);
    fields.put("failed_at", Long.toString(System.currentTimeMillis()));
    fields.put("stream", stream);
    List<String> args = new ArrayList<>(List.of(settings.group(), entryId, Long.toString(settings.failedMaxLength())));
    fields.forEach((name, value) -> {
      args.add(name);
      args.add(value);
    });
    return Scripts.FAIL.run(redis, ScriptOutputType.INTEGER, new String[] {stream, settings.failedStream()},
        args.toArray(String[]::new));
  }

  private void done(Settled settled, Throwable error) {
    if (error != null) {
      // Redis is away: try again shortly, so that a delivered entry is not sent again needlessly
      log.debug("Could not acknowledge entry {} of {} ({}); trying again", settled.entryId(), settled.stream(),
          error.toString());
      waiting.add(settled);
      try {
        retryTimer.schedule(this::flush, 200, TimeUnit.MILLISECONDS);
      } catch (RuntimeException closed) {
        unsent.decrementAndGet();
        settled.released().run();
        log.warn("Entry {} of {} was settled but not acknowledged before close; it will be sent again",
            settled.entryId(), settled.stream());
      }
      return;
    }
    unsent.decrementAndGet();
    settled.released().run();
    if (settled.reason() != null || outcomes.mine(settled.entry().producer())) { // else the ACK script told it
      outcomes.settled(settled.entry().producer(), settled.entry().message().id(), settled.reason(), redis);
    }
  }

  private static String reason(Throwable error) {
    Throwable cause = error;
    while (cause instanceof java.util.concurrent.CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return String.valueOf(cause.getMessage());
  }

  /** Sends what is left and waits for it, within the command timeout. */
  void close() {
    flush();
    long deadline = System.nanoTime() + settings.commandTimeout().toNanos();
    try {
      while (unsent.get() > 0 && System.nanoTime() - deadline < 0) {
        Thread.sleep(5);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    retryTimer.shutdownNow();
    if (unsent.get() > 0) {
      log.warn("{} delivered events were not acknowledged before close; they will be sent again", unsent.get());
    }
  }
}
