package dev.broadcasting.server.internal.history;

import dev.broadcasting.server.HistoryRule;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.ToIntFunction;

/**
 * Where a single node's history channels keep their recent events. An implementation orders appends
 * and joins of one channel, so that a resubscribing client gets each event exactly once: from the
 * replay if it was appended before the client joined, live otherwise. The memory store does this
 * with a lock per channel. In a cluster, history is shared through the backplane instead
 * ({@code SharedApp.publishKept} and {@code history}), ordered against live events by the offsets
 * they carry ({@code ClusterRecovery}).
 *
 * <pre>{@code
 * int sent = store.append("chat", rule, message, positioned -> sendToSubscribers(positioned));
 * }</pre>
 */
public interface HistoryStore {
  /**
   * Gives {@code message} (a JSON object) the next offset of {@code channel}'s stream, keeps it,
   * and hands the message carrying its position to {@code deliver} before any later event of the
   * channel. Returns what {@code deliver} returns.
   */
  int append(String channel, HistoryRule rule, String message, ToIntFunction<String> deliver);

  /**
   * Runs {@code join}, which subscribes the client; if it returns true, hands {@code answer} what
   * the client missed after {@code epoch}/{@code offset} (null for a client without a position).
   * No event of the channel is delivered between the join and the end of {@code answer}.
   */
  void join(String channel, HistoryRule rule, String epoch, Long offset, BooleanSupplier join,
      Consumer<Replay> answer);

  /** The kept events after {@code offset}, at most {@code limit}, oldest first, without joining. */
  Replay read(String channel, HistoryRule rule, String epoch, long offset, int limit);
}
