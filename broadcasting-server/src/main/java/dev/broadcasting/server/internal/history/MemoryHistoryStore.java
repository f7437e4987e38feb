package dev.broadcasting.server.internal.history;

import dev.broadcasting.server.HistoryRule;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.ToIntFunction;

/**
 * History kept in this server's memory: per channel, the last events within its rule's size and
 * time-to-live, and at most {@code maxChannels} channels (the one used longest ago is forgotten).
 * A stream created anew, after a restart or an eviction, has a new epoch, so a client's old
 * position is then answered with {@link Replay#EPOCH_CHANGED} rather than with a partial replay.
 *
 * <pre>{@code
 * HistoryStore store = new MemoryHistoryStore(10_000, System::nanoTime);
 * }</pre>
 */
public final class MemoryHistoryStore implements HistoryStore {
  private static final SecureRandom RANDOM = new SecureRandom();

  private record Entry(long offset, long atNanos, String message) {}

  /** One channel's stream; every access holds its monitor. */
  private static final class Stream {
    final String epoch;
    final ArrayDeque<Entry> entries = new ArrayDeque<>();
    long last;

    Stream(String epoch) {
      this.epoch = epoch;
    }
  }

  private final int maxChannels;
  private final LongSupplier nanoTime;
  private final Map<String, Stream> streams;
  /**
   * Epochs are this store's random start (fixed width) and the number of channels forgotten before
   * the stream was made: a forgotten channel's next stream has a new one. A read of a channel
   * without a stream creates none (it would push a used channel out) but answers the epoch its
   * stream would get now, so that a client goes on from offset 0 of it unless a channel is
   * forgotten meanwhile, which is then answered {@link Replay#EPOCH_CHANGED}.
   */
  private final String epochStart = String.format("%13s", Long.toString(RANDOM.nextLong() & Long.MAX_VALUE, 36))
      .replace(' ', '0');
  private long evictions;

  public MemoryHistoryStore(int maxChannels, LongSupplier nanoTime) {
    if (maxChannels < 1) {
      throw new IllegalArgumentException("maxChannels must be at least 1 but was " + maxChannels);
    }
    this.maxChannels = maxChannels;
    this.nanoTime = nanoTime;
    this.streams = new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Stream> eldest) {
        boolean evict = size() > MemoryHistoryStore.this.maxChannels;
        evictions += evict ? 1 : 0;
        return evict;
      }
    };
  }

  @Override
  public int append(String channel, HistoryRule rule, String message, ToIntFunction<String> deliver) {
    Stream stream = stream(channel);
    synchronized (stream) {
      long offset = ++stream.last;
      String positioned = withPosition(message, stream.epoch, offset);
      stream.entries.addLast(new Entry(offset, nanoTime.getAsLong(), positioned));
      trim(stream, rule);
      return deliver.applyAsInt(positioned);
    }
  }

  @Override
  public void join(String channel, HistoryRule rule, String epoch, Long offset, BooleanSupplier join,
      Consumer<Replay> answer) {
    Stream stream;
    synchronized (streams) {
      stream = streams.get(channel);
      if (stream == null) {
        // held under the map's lock, so that no first event of the channel comes in between
        if (join.getAsBoolean()) {
          answer.accept(offset == null ? nothingYet() : notKept(epoch, offset));
        }
        return;
      }
    }
    synchronized (stream) {
      if (join.getAsBoolean()) {
        answer.accept(offset == null ? new Replay(null, stream.epoch, stream.last, List.of())
            : replay(stream, rule, epoch, offset, Integer.MAX_VALUE));
      }
    }
  }

  @Override
  public Replay read(String channel, HistoryRule rule, String epoch, long offset, int limit) {
    Stream stream;
    synchronized (streams) {
      stream = streams.get(channel);
      if (stream == null) {
        return notKept(epoch == null ? epochNow() : epoch, offset);
      }
    }
    synchronized (stream) {
      return replay(stream, rule, epoch == null ? stream.epoch : epoch, offset, limit);
    }
  }

  /** The position of a channel without a stream; called holding the map's lock. */
  private Replay nothingYet() {
    return new Replay(null, epochNow(), 0, List.of());
  }

  /** The answer to a position on a channel without a stream; called holding the map's lock. */
  private Replay notKept(String epoch, long offset) {
    Replay now = nothingYet();
    return now.epoch().equals(epoch) ? (offset == 0 ? now : new Replay(Replay.INVALID, now.epoch(), 0, List.of()))
        : new Replay(Replay.EPOCH_CHANGED, now.epoch(), 0, List.of());
  }

  private Replay replay(Stream stream, HistoryRule rule, String epoch, long offset, int limit) {
    trim(stream, rule);
    String reason = null;
    if (!stream.epoch.equals(epoch)) {
      reason = Replay.EPOCH_CHANGED;
    } else if (offset < 0 || offset > stream.last) {
      reason = Replay.INVALID;
    } else if (offset < stream.last && (stream.entries.isEmpty() || stream.entries.getFirst().offset() > offset + 1)) {
      reason = Replay.TRIMMED;
    }
    if (reason != null) {
      return new Replay(reason, stream.epoch, stream.last, List.of());
    }
    List<String> events = new ArrayList<>();
    for (Entry entry : stream.entries) {
      if (entry.offset() > offset && events.size() < limit) {
        events.add(entry.message());
      }
    }
    return new Replay(null, stream.epoch, stream.last, events);
  }

  /** The epoch of a stream made now; called holding the map's lock. */
  private String epochNow() {
    return epochStart + Long.toString(evictions, 36);
  }

  private void trim(Stream stream, HistoryRule rule) {
    while (stream.entries.size() > rule.maxEvents()) {
      stream.entries.removeFirst();
    }
    long oldest = nanoTime.getAsLong() - rule.timeToLive().toNanos();
    while (!stream.entries.isEmpty() && stream.entries.getFirst().atNanos() - oldest < 0) {
      stream.entries.removeFirst();
    }
  }

  private Stream stream(String channel) {
    synchronized (streams) {
      return streams.computeIfAbsent(channel, name -> new Stream(epochNow()));
    }
  }

  /** {@code message}, a JSON object, with {@code "epoch"} and {@code "offset"} added as its last fields. */
  public static String withPosition(String message, String epoch, long offset) {
    return message.substring(0, message.lastIndexOf('}')) + ",\"epoch\":\"" + epoch + "\",\"offset\":" + offset + "}";
  }
}
