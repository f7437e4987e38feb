package dev.broadcasting.server.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.broadcasting.server.HistoryRule;
import dev.broadcasting.server.internal.history.HistoryStore;
import dev.broadcasting.server.internal.history.Replay;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.ToIntFunction;

/**
 * One app's recovery: which of its channels keep history (its {@link HistoryRule}s), positions on
 * their events, and the answer to a client that resubscribes with the position it last saw. Apps
 * without rules pass through untouched, byte for byte.
 *
 * <pre>{@code
 * history.deliver(channel, message, positioned -> sendToChannel(channel, positioned, null));
 * }</pre>
 */
final class ChannelHistory {
  /** The event that answers a subscribe carrying {@code recovery}; see the server README. */
  static final String RECOVERY_EVENT = "broadcasting:recovery";
  static final String NO_HISTORY = "no_history";

  private final List<HistoryRule> rules;
  private final HistoryStore store;

  ChannelHistory(List<HistoryRule> rules, HistoryStore store) {
    this.rules = rules;
    this.store = store;
  }

  HistoryRule ruleFor(String channel) {
    for (HistoryRule rule : rules) {
      if (rule.matches(channel)) {
        return rule;
      }
    }
    return null;
  }

  /** Hands {@code message} to {@code send}, on history channels with its position and kept. */
  int deliver(String channel, String message, ToIntFunction<String> send) {
    HistoryRule rule = rules.isEmpty() ? null : ruleFor(channel);
    return rule == null ? send.applyAsInt(message) : store.append(channel, rule, message, send);
  }

  /**
   * Runs {@code join} (which subscribes {@code socket} and tells it so); when the subscribe carried
   * {@code recovery}, then answers with {@value #RECOVERY_EVENT} and replays the missed events, all
   * before any live event of the channel reaches the socket.
   */
  void subscribe(PusherSocket socket, String channel, JsonNode recovery, BooleanSupplier join) {
    HistoryRule rule = rules.isEmpty() ? null : ruleFor(channel);
    boolean asked = recovery != null && recovery.isObject();
    if (rule == null) {
      if (join.getAsBoolean() && asked) {
        socket.send(answer(channel, NO_HISTORY, null, 0, 0));
      }
      return;
    }
    if (!asked) {
      join.getAsBoolean();
      return;
    }
    if (malformed(recovery)) {
      store.join(channel, rule, null, null, join,
          now -> socket.send(answer(channel, Replay.INVALID, now.epoch(), now.offset(), 0)));
      return;
    }
    store.join(channel, rule, Json.text(recovery, "epoch"), offsetOf(recovery), join, replay -> {
      socket.send(answer(channel, replay));
      replay.events().forEach(socket::send);
    });
  }

  /**
   * The offset of a subscribe's {@code recovery}, or null when it gives no whole position: a string
   * {@code epoch} and a whole {@code offset} of at least 0.
   */
  static Long offsetOf(JsonNode recovery) {
    JsonNode offset = recovery.get("offset");
    boolean whole = offset != null && offset.isIntegralNumber() && offset.canConvertToLong() && offset.asLong() >= 0;
    return whole && Json.text(recovery, "epoch") != null ? offset.asLong() : null;
  }

  /**
   * Whether {@code recovery} gives a position that is not whole; answered {@link Replay#INVALID}
   * rather than as a first subscription, which would replay nothing and hide the gap.
   */
  static boolean malformed(JsonNode recovery) {
    return (recovery.has("epoch") || recovery.has("offset")) && offsetOf(recovery) == null;
  }

  /**
   * Whether a subscribe to {@code channel} with {@code recovery} gets the events after a position,
   * which then stand in for a cache channel's last event.
   */
  boolean replaysFrom(String channel, JsonNode recovery) {
    return recovery != null && recovery.isObject() && offsetOf(recovery) != null && ruleFor(channel) != null;
  }

  /**
   * The kept events of {@code channel} after {@code offset}, from this node's store or, in a
   * cluster, from the shared history (waiting for it: only off the event loops).
   */
  Replay read(AppCluster cluster, String channel, HistoryRule rule, String epoch, long offset, int limit) {
    return cluster == null ? store.read(channel, rule, epoch, offset, limit)
        : AppCluster.await(cluster.history(channel, rule, epoch, offset, limit));
  }

  /** The {@value #RECOVERY_EVENT} message telling a resubscribed socket what it gets. */
  static String answer(String channel, Replay replay) {
    return answer(channel, replay.notRecoveredReason(), replay.epoch(), replay.offset(), replay.events().size());
  }

  static String answer(String channel, String reason, String epoch, long offset, int replayed) {
    ObjectNode data = Json.object().put("recovered", reason == null);
    if (reason != null) {
      data.put("reason", reason);
    }
    if (epoch != null) {
      data.put("epoch", epoch).put("offset", offset);
    }
    data.put("replayed", replayed);
    ObjectNode root = Json.object().put("event", RECOVERY_EVENT).put("channel", channel);
    root.put("data", Json.write(data));
    return Json.write(root);
  }
}
