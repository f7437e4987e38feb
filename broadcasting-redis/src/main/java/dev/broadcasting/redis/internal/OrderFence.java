package dev.broadcasting.redis.internal;

import dev.broadcasting.BroadcastException;
import dev.broadcasting.Channel;
import dev.broadcasting.spi.BroadcastMessage;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Keeps a channel's order across a failed publish, so that the driver may let core pipeline. When
 * a publish fails and core may send it again, its channels are fenced: every later message for
 * them is refused (retryable) without being sent, until the earliest failed message is handed
 * over again. Core resends the failed messages of a channel, and then their followers, in the
 * order it first sent them, so that resend lifts the fence and the rest pass after it.
 *
 * <p>"Earliest" is by rank: the sequence number of the first attempt of the message that did not
 * go through, which is when core first sent it, kept across its retries. Neither the order in
 * which lettuce reports failures (a command refused at once on one thread, the ones it had written
 * failed a moment later on its event loop) nor the sequence of a retry says where a message stands
 * in its channel; a late report of an old attempt must not put a follower ahead of a message that
 * was resent and failed again since.
 *
 * <pre>{@code
 * OrderFence fence = new OrderFence("Redis at localhost:6379", System::nanoTime);
 * long attempt = fence.next();
 * BroadcastException refused = fence.admit(message, attempt); // null: send it
 * // ... then, as lettuce answers:
 * fence.failed(message, attempt); // or fence.delivered(message)
 * }</pre>
 *
 * <p>Why the driver must do this although core cancels the requests behind a failed one: lettuce
 * refuses a command at once while it reconnects, and fails the commands it had written when the
 * connection drops, on its own thread; core learns of it on another. In between, core may hand
 * the driver the channel's next message, or resend one that failed after it; if the connection
 * is back by then, that one is written and arrives before the retry of the earlier one. The
 * fence closes that gap from the moment lettuce reports the failure.
 *
 * <p>A fence also lifts once {@value #HOLD_MILLIS} ms have passed since the last failure on its
 * channel: by then core has heard of the failure, and if it still sends a later message first, it
 * has given up on the failed one (out of attempts), and the channel must not stay shut. Memory:
 * one entry per fenced channel, at most {@value #MAX_CHANNELS}, and one rank per message that
 * failed and was not delivered since, at most {@value #MAX_RANKED} (beyond either, the oldest is
 * dropped). With no fence up and no rank kept, {@link #admit} and {@link #delivered} each read one
 * volatile field.
 */
public final class OrderFence {
  static final long HOLD_MILLIS = 1_000;
  static final int MAX_CHANNELS = 10_000;
  static final int MAX_RANKED = 100_000;

  /** The earliest message that failed on a channel and was not sent again, and when the last failure there was. */
  private static final class Fence {
    BroadcastMessage first;
    long firstRank;
    long since;

    Fence(BroadcastMessage first, long firstRank, long since) {
      this.first = first;
      this.firstRank = firstRank;
      this.since = since;
    }
  }

  /** A message by identity: core hands over the same instance on every retry. */
  private record Same(BroadcastMessage message) {
    @Override
    public boolean equals(Object other) {
      return other instanceof Same && ((Same) other).message == message;
    }

    @Override
    public int hashCode() {
      return System.identityHashCode(message);
    }
  }

  private final String address;
  private final LongSupplier nanoTime;
  private final Map<String, Fence> fences = new LinkedHashMap<>(16, 0.75f, false) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Fence> eldest) {
      return size() > MAX_CHANNELS;
    }
  };
  private final Map<Same, Long> ranks = new LinkedHashMap<>(16, 0.75f, false) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<Same, Long> eldest) {
      return size() > MAX_RANKED;
    }
  };
  private final AtomicLong attempts = new AtomicLong();
  private volatile boolean up;
  private volatile boolean ranked;

  /** @param nanoTime the clock the hold time is measured with, {@code System::nanoTime} outside tests */
  public OrderFence(String address, LongSupplier nanoTime) {
    this.address = address;
    this.nanoTime = nanoTime;
  }

  /** The sequence number of an attempt about to be sent: taken in the order the driver sends. */
  public long next() {
    return attempts.getAndIncrement();
  }

  /**
   * Null when {@code message} may be sent now as {@code attempt}, lifting the fences it was held
   * by; otherwise the retryable error to fail it with, and its channels that had no fence get one.
   */
  public BroadcastException admit(BroadcastMessage message, long attempt) {
    if (!up) {
      return null;
    }
    List<Channel> channels = message.channels();
    synchronized (this) {
      long now = nanoTime.getAsLong();
      for (Channel channel : channels) {
        Fence fence = fences.get(channel.name());
        if (fence != null && fence.first != message && now - fence.since < TimeUnit.MILLISECONDS.toNanos(HOLD_MILLIS)) {
          hold(message, attempt, now, false);
          return BroadcastException.retryable("Held back to keep the order of channel '" + channel.name()
              + "': an earlier publish on it to Redis at " + address + " failed and has not been sent again yet", null);
        }
      }
      for (Channel channel : channels) {
        fences.remove(channel.name());
      }
      up = !fences.isEmpty();
      return null;
    }
  }

  /** {@code message}, sent as {@code attempt}, failed and core may send it again: fences its channels. */
  public synchronized void failed(BroadcastMessage message, long attempt) {
    hold(message, attempt, nanoTime.getAsLong(), true);
  }

  /** {@code message} reached Redis: it no longer needs its rank. */
  public void delivered(BroadcastMessage message) {
    if (!ranked) {
      return;
    }
    synchronized (this) {
      ranks.remove(new Same(message));
      ranked = !ranks.isEmpty();
    }
  }

  private void hold(BroadcastMessage message, long attempt, long now, boolean failure) {
    long rank = ranks.computeIfAbsent(new Same(message), m -> attempt);
    ranked = true;
    for (Channel channel : message.channels()) {
      Fence fence = fences.get(channel.name());
      if (fence == null) {
        fences.put(channel.name(), new Fence(message, rank, now));
        continue;
      }
      if (rank < fence.firstRank) {
        fence.first = message;
        fence.firstRank = rank;
      }
      if (failure) {
        fence.since = now; // a refusal does not renew it: a channel whose failed message was given up must open
      }
    }
    up = true;
  }
}
