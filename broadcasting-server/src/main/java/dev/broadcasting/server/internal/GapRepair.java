package dev.broadcasting.server.internal;

import dev.broadcasting.server.internal.history.Replay;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * In a cluster, the last position this node delivered on each of its history channels, and the
 * repair of a gap in them. Redis pub/sub keeps nothing for a subscriber that is away: when this
 * node's connection to Redis drops, the events published meanwhile never reach it. The next event of
 * the channel shows the gap (its offset is past the last one plus one); the missed events are then
 * read from the shared history and delivered first, while the channel's later events wait. When they
 * cannot be read back, the channel's sockets are told at once, before the later events: their
 * connections never dropped, so no resubscription would tell them.
 *
 * <pre>{@code
 * gaps.deliver("news", frame, null, "k2x9", 45);  // 41..44 missing: read, delivered, then 45
 * }</pre>
 */
final class GapRepair {
  private static final Logger log = LoggerFactory.getLogger(GapRepair.class);
  /** The most missed events read back at once, and the most that wait meanwhile; past them, the gap is reported. */
  static final int MAX_GAP = 10_000;

  /** Reads {@code count} events of {@code channel} after {@code offset} of stream {@code epoch}. */
  interface History {
    CompletableFuture<Replay> read(String channel, String epoch, long offset, int count);
  }

  private record Live(String frame, String exceptSocketId, String epoch, long offset) {}

  /** One channel's last delivered position, and the events waiting while a gap is read. */
  private static final class Track {
    String epoch;
    long last;
    List<Live> waiting;
    /** Counts the repairs begun, so that the answer of one given up is ignored. */
    int repairs;
  }

  private final ClusterRecovery recovery;
  private final History history;
  private final Predicate<String> subscribedHere;
  /** Guarded by {@code this}: one channel's events are handed to the recovery one at a time, in order. */
  private final Map<String, Track> tracks = new HashMap<>();

  /** {@code subscribedHere}: whether this node has a socket on a channel. */
  GapRepair(ClusterRecovery recovery, History history, Predicate<String> subscribedHere) {
    this.recovery = recovery;
    this.history = history;
    this.subscribedHere = subscribedHere;
  }

  /** A live event of a history channel, already positioned, as the backplane brought it. */
  synchronized void deliver(String channel, String positioned, String exceptSocketId, String epoch, long offset) {
    Track track = tracks.get(channel);
    if (track == null) {
      if (!subscribedHere.test(channel)) {
        // an event still on its way after the last socket left: a position kept now would make the
        // next subscriber's first event look like a gap
        return;
      }
      track = new Track();
      tracks.put(channel, track);
    }
    Live live = new Live(positioned, exceptSocketId, epoch, offset);
    if (track.waiting != null) {
      track.waiting.add(live);
      if (track.waiting.size() > MAX_GAP) {
        repaired(channel, track, null, Replay.UNAVAILABLE, "over " + MAX_GAP + " later events came while they were read");
      }
      return;
    }
    if (epoch.equals(track.epoch) && offset > track.last + 1) {
      long missed = offset - track.last - 1;
      track.waiting = new ArrayList<>(List.of(live));
      if (missed > MAX_GAP) {
        repaired(channel, track, null, Replay.UNAVAILABLE, "the gap is over " + MAX_GAP + " events");
        return;
      }
      int repair = ++track.repairs;
      Track repairing = track;
      history.read(channel, epoch, track.last, (int) missed).whenComplete((replay, error) -> {
        synchronized (this) {
          if (repairing.repairs != repair || repairing.waiting == null) {
            return;
          }
          if (error != null) {
            repaired(channel, repairing, null, Replay.UNAVAILABLE, error.toString());
          } else if (!replay.recovered()) {
            repaired(channel, repairing, null, replay.notRecoveredReason(), replay.notRecoveredReason());
          } else if (replay.events().size() != missed) {
            repaired(channel, repairing, null, Replay.TRIMMED, "only " + replay.events().size() + " were kept");
          } else {
            repaired(channel, repairing, replay, null, null);
          }
        }
      });
      return;
    }
    pass(channel, track, live);
  }

  /** Forgets {@code channel}: this node has no socket on it any more. */
  synchronized void forget(String channel) {
    Track track = tracks.get(channel);
    if (track != null && track.waiting == null) {
      tracks.remove(channel);
    }
  }

  /** {@code reason}: what the sockets are told when the gap was not read back; {@code failure}: what the log says. */
  private void repaired(String channel, Track track, Replay replay, String reason, String failure) {
    List<Live> waiting = track.waiting;
    track.waiting = null;
    track.repairs++;
    if (reason == null) {
      // the stream does not keep which socket sent an event: replayed ones go to every socket
      for (String event : replay.events()) {
        pass(channel, track, new Live(event, null, track.epoch, track.last + 1));
      }
    } else {
      log.warn("Events {} to {} of {} were published while this node could not hear Redis and could not be read "
          + "back ({}): this node's sockets on it missed them and are told '{}'",
          track.last + 1, waiting.get(0).offset() - 1, channel, failure, reason);
      recovery.missed(channel, new Replay(reason, track.epoch, track.last, List.of()));
      track.last = waiting.get(0).offset() - 1;
    }
    for (Live live : waiting) {
      deliver(channel, live.frame(), live.exceptSocketId(), live.epoch(), live.offset());
    }
  }

  private void pass(String channel, Track track, Live live) {
    track.epoch = live.epoch();
    track.last = live.offset();
    recovery.deliver(channel, live.frame(), live.exceptSocketId(), live.epoch(), live.offset());
  }
}
