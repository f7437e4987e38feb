package dev.broadcasting.server.spi;

import dev.broadcasting.server.HistoryRule;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * One app's state shared by every node of a cluster, as a {@link Backplane} keeps it. Every method
 * returns at once; the futures fail when the cluster cannot be reached.
 */
public interface SharedApp {
  /**
   * Sends {@code frame} to {@code channel}'s subscribers on the other nodes, but socket
   * {@code exceptSocketId} (null for none); with {@code cache}, also keeps it as the channel's last
   * event. Frames of one caller on one channel arrive in the order sent.
   */
  CompletableFuture<Void> publish(String channel, String frame, String exceptSocketId, boolean cache);

  /**
   * Gives {@code frame} the next offset of {@code channel}'s history, keeps it within {@code rule}
   * (its size and time-to-live) and sends it with that position to the channel's subscribers on
   * every node, this one included ({@link LocalApp#deliverKept}), but socket {@code exceptSocketId}.
   * Offsets are taken atomically with the sending, so every node sees the channel's frames in the
   * order of their offsets; with {@code cache}, also keeps the frame as the channel's last event.
   */
  CompletableFuture<Void> publishKept(String channel, String frame, String exceptSocketId, boolean cache,
      HistoryRule rule);

  /**
   * The kept frames of {@code channel} after {@code offset} of stream {@code epoch}, at most
   * {@code limit}, oldest first; {@code epoch} null reads the current stream, {@code offset} null
   * asks only for the stream's position. A position that cannot be answered whole gets no frames and
   * a reason: {@code epoch_changed} (the stream was lost and begun anew), {@code trimmed} (some frames
   * after it are no longer kept), {@code invalid_position} (it is past the end).
   */
  CompletableFuture<Kept> history(String channel, HistoryRule rule, String epoch, Long offset, int limit);

  /**
   * Counts one more socket of this node on {@code channel}, as member {@code userId} on presence
   * channels (else null), and starts receiving the channel's frames from other nodes before the
   * future completes. A socket refused because the channel is full is still counted as a
   * subscriber, not as a member; the server takes that back with {@code leave(channel, null)}.
   */
  CompletableFuture<Joined> join(String channel, String userId, String userInfoJson, int maxMembers);

  /** Counts one socket less; the last one of this node stops the channel's frames from other nodes. */
  CompletableFuture<List<Decision>> leave(String channel, String userId);

  /** Closes the connections signed in as {@code userId} on the other nodes. */
  CompletableFuture<Void> terminateUser(String userId);

  /** Occupied channels whose name starts with {@code prefix}, on all nodes. */
  CompletableFuture<Map<String, Counts>> channels(String prefix);

  /** One channel's counts on all nodes, or null when nobody is subscribed anywhere. */
  CompletableFuture<Counts> channel(String channel);

  /** The user ids of a presence channel, on all nodes. */
  CompletableFuture<List<String>> userIds(String channel);

  /** What a join changed. */
  record Joined(boolean refused, List<Decision> decisions, Map<String, String> members, String cachedFrame) {
    /** The answer when the channel already has {@code maxMembers} other users. */
    public static Joined full() {
      return new Joined(true, List.of(), Map.of(), null);
    }
  }

  /**
   * A read of a channel's history: {@code frames} hold the frames after the position asked for, as
   * published (without their position), the first at offset {@code asked + 1}; {@code lastOffset} is
   * the offset of the stream's newest frame (0 for none).
   */
  record Kept(String notRecoveredReason, String epoch, long lastOffset, List<String> frames) {}

  /** Sockets subscribed to a channel, and on presence channels its distinct users. */
  record Counts(int subscriptions, int users) {}
}
