package dev.broadcasting.queue.redis.internal;

import dev.broadcasting.BroadcastException;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Completes a producer's futures when its events settle, wherever a worker settled them: directly
 * when the worker runs in this process, by a notice on the producer's own pub/sub channel when it
 * runs in another. A notice is fire and forget (one lost while Redis restarts leaves its future
 * open), so at most {@code trackLimit} futures are kept: the oldest beyond it completes with an
 * error saying its outcome is not known here, never as delivered.
 */
public final class Outcomes {
  private static final Logger log = LoggerFactory.getLogger(Outcomes.class);

  private final String producer;
  private final QueueSettings settings;
  private final Map<String, CompletableFuture<Void>> waiting = new LinkedHashMap<>();
  private final Supplier<StatefulRedisPubSubConnection<String, String>> subscriber;
  private StatefulRedisPubSubConnection<String, String> subscription;

  public Outcomes(String producer, QueueSettings settings,
      Supplier<StatefulRedisPubSubConnection<String, String>> subscriber) {
    this.producer = producer;
    this.settings = settings;
    this.subscriber = subscriber;
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

  /**
   * Tells the producer of an event that it settled: {@code reason} null when delivered. Returns
   * at once; the notice to another process goes out through {@code redis}.
   */
  public void settled(String entryProducer, String messageId, String reason, RedisAsyncCommands<String, String> redis) {
    if (producer.equals(entryProducer)) {
      complete(messageId, reason);
    } else if (!entryProducer.isEmpty()) {
      String notice = messageId + " " + (reason == null ? "" : reason.replace('\n', ' '));
      redis.publish(settings.noticeChannel(entryProducer), notice);
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

  /** Subscribes on the first event; while Redis cannot be reached, tries again on the next one. */
  private void subscribeOnce() {
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
            int space = notice.indexOf(' ');
            String reason = notice.substring(space + 1);
            complete(notice.substring(0, space), reason.isEmpty() ? null : reason);
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
