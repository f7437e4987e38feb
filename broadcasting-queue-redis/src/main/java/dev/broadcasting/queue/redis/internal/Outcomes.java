package dev.broadcasting.queue.redis.internal;

import dev.broadcasting.BroadcastException;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Completes a producer's futures when its events settle, wherever a worker settled them: directly
 * when the worker runs in this process; when it runs in another, through the producer's outcomes
 * stream, which the worker appends to and announces on the producer's pub/sub channel in one
 * step (for a delivered batch, in the step that acknowledges it, one notice line per event). A notice sent while the subscription was down (Redis restarting, say) is not lost: each
 * time the subscription is made again, the producer reads the stream past the last outcome it saw.
 * The stream is bounded ({@code MAXLEN ~ trackLimit}) and expires an hour after its last outcome.
 * At most {@code trackLimit} futures are kept: the oldest beyond it completes with an error saying
 * its outcome is not known here, never as delivered.
 */
public final class Outcomes {
  private static final Logger log = LoggerFactory.getLogger(Outcomes.class);
  /** Outcomes read back at once after a re-subscription. */
  private static final int READ_BACK = 1_000;

  private final String producer;
  private final QueueSettings settings;
  private final Map<String, CompletableFuture<Void>> waiting = new LinkedHashMap<>();
  private final Supplier<StatefulRedisPubSubConnection<String, String>> subscriber;
  private final RedisAsyncCommands<String, String> redis;
  /** Set once, under this object's lock; read without it on every event. */
  private volatile StatefulRedisPubSubConnection<String, String> subscription;
  /** The id in the outcomes stream of the newest outcome seen; not under this object's lock, which subscribing holds. */
  private final AtomicReference<String> lastSeen = new AtomicReference<>("0-0");

  /** @param redis where the outcomes stream is read back from */
  public Outcomes(String producer, QueueSettings settings,
      Supplier<StatefulRedisPubSubConnection<String, String>> subscriber, RedisAsyncCommands<String, String> redis) {
    this.producer = producer;
    this.settings = settings;
    this.subscriber = subscriber;
    this.redis = redis;
  }

  public String producer() {
    return producer;
  }

  /** A future for the event with {@code messageId}, which this process is about to write. */
  public CompletableFuture<Void> track(String messageId) {
    subscribeOnce();
    CompletableFuture<Void> future = new CompletableFuture<>();
    CompletableFuture<Void> evicted = null;
    synchronized (waiting) {
      waiting.put(messageId, future);
      if (waiting.size() > settings.trackLimit()) {
        Iterator<CompletableFuture<Void>> oldest = waiting.values().iterator();
        evicted = oldest.next();
        oldest.remove();
      }
    }
    if (evicted != null) {
      evicted.completeExceptionally(new BroadcastException("This process waits for at most "
          + settings.trackLimit() + " outcomes, so the oldest is no longer followed; the event is still queued "
          + "and is delivered or moved to the failed stream, where listFailed() shows it"));
    }
    return future;
  }

  /** Forgets a future whose event could not be written; the caller fails it. */
  public void untrack(String messageId) {
    synchronized (waiting) {
      waiting.remove(messageId);
    }
  }

  /** Whether {@code entryProducer} is this process: its outcomes complete futures here, with no notice. */
  public boolean mine(String entryProducer) {
    return producer.equals(entryProducer);
  }

  /**
   * Tells the producer of an event that it settled: {@code reason} null when delivered. Returns
   * at once; the outcome for another process goes out through {@code redis}.
   */
  public void settled(String entryProducer, String messageId, String reason, RedisAsyncCommands<String, String> redis) {
    if (mine(entryProducer)) {
      complete(messageId, reason);
    } else if (!entryProducer.isEmpty()) {
      Scripts.NOTIFY.run(redis, ScriptOutputType.VALUE, new String[] {settings.outcomesStream(entryProducer)},
          settings.noticeChannel(entryProducer), Integer.toString(settings.trackLimit()),
          Long.toString(settings.outcomesTtl().toMillis()), messageId,
          reason == null ? "" : reason.replace('\n', ' ')).whenComplete((id, error) -> {
            if (error != null) {
              log.debug("Could not tell producer {} the outcome of {} ({}); its future stays open until it is "
                  + "no longer followed", entryProducer, messageId, error.toString());
            }
          });
    }
  }

  private void complete(String messageId, String reason) {
    CompletableFuture<Void> future;
    synchronized (waiting) {
      future = waiting.remove(messageId);
    }
    if (future == null) {
      return;
    }
    if (reason == null) {
      future.complete(null);
    } else {
      future.completeExceptionally(new BroadcastException(reason));
    }
  }

  /** An outcome from the stream or its notice: completes the future, remembers the newest id. */
  private void outcome(String streamId, String messageId, String reason) {
    lastSeen.accumulateAndGet(streamId, (seen, id) -> newer(id, seen) ? id : seen);
    complete(messageId, reason.isEmpty() ? null : reason);
  }

  /** Reads the outcomes stream past the newest outcome seen, to the end. */
  private void readBack() {
    redis.xrange(settings.outcomesStream(producer), Range.from(Range.Boundary.excluding(lastSeen.get()),
        Range.Boundary.unbounded()), Limit.from(READ_BACK))
        .whenComplete((entries, error) -> {
          if (error != null) {
            log.debug("Could not read back the outcomes of this producer's events ({}); trying again on the next "
                + "re-subscription", error.toString());
            return;
          }
          for (StreamMessage<String, String> entry : entries) {
            outcome(entry.getId(), entry.getBody().get("id"), entry.getBody().getOrDefault("reason", ""));
          }
          if (entries.size() == READ_BACK) {
            readBack();
          }
        });
  }

  /** Whether stream id {@code a} comes after {@code b}. */
  private static boolean newer(String a, String b) {
    int dashA = a.indexOf('-');
    int dashB = b.indexOf('-');
    long msA = Long.parseLong(a.substring(0, dashA));
    long msB = Long.parseLong(b.substring(0, dashB));
    return msA != msB ? msA > msB : Long.parseLong(a.substring(dashA + 1)) > Long.parseLong(b.substring(dashB + 1));
  }

  /** Subscribes on the first event; while Redis cannot be reached, tries again on the next one. */
  private void subscribeOnce() {
    if (subscription != null) {
      return; // subscribed: no lock for the producer threads to meet on
    }
    synchronized (this) {
      if (subscription != null) {
        return;
      }
      StatefulRedisPubSubConnection<String, String> opened = null;
      try {
        opened = subscriber.get();
        opened.addListener(new RedisPubSubAdapter<>() {
          @Override
          public void message(String channel, String notice) {
            int start = 0;
            while (start < notice.length()) { // one line per outcome: a reason holds no line break
              int end = notice.indexOf('\n', start);
              end = end < 0 ? notice.length() : end;
              int first = notice.indexOf(' ', start);
              int second = notice.indexOf(' ', first + 1);
              outcome(notice.substring(start, first), notice.substring(first + 1, second),
                  notice.substring(second + 1, end));
              start = end + 1;
            }
          }

          /** Also after every reconnection: what was announced meanwhile is in the stream. */
          @Override
          public void subscribed(String channel, long count) {
            readBack();
          }
        });
        opened.sync().subscribe(settings.noticeChannel(producer));
        subscription = opened;
      } catch (RuntimeException e) {
        if (opened != null) {
          opened.close();
        }
        log.warn("Could not subscribe to the outcomes of this producer's events ({}); trying again with the next "
            + "event. Until then only a worker in this process completes their futures", e.toString());
      }
    }
  }

  public void close() {
    StatefulRedisPubSubConnection<String, String> open;
    synchronized (this) {
      open = subscription;
    }
    if (open != null) {
      open.close();
    }
  }
}
