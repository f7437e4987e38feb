package dev.broadcasting.server.internal;

import dev.broadcasting.server.internal.history.Replay;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * In a cluster, this node's sockets that resubscribe to a history channel with a position. The
 * shared history is read over the network, so a recovering socket cannot be served under a lock as
 * on one node: instead the channel's live events are held for it until its replay is sent, and the
 * events the replay already gave it are not sent again when they arrive live (the node subscribes
 * to the channel before the history is read, so every later event does arrive).
 *
 * <pre>{@code
 * recovery.hold(socket, "news");          // before the socket joins the channel
 * recovery.replayed(socket, "news", replay); // once the shared history answered
 * }</pre>
 */
final class ClusterRecovery {
  /** Live events held for one socket while its replay is read; past this, it is told "unavailable". */
  static final int MAX_HELD = 10_000;

  private record Held(String frame, String epoch, long offset) {}

  /** One socket's recovery on one channel; removed once no live event can repeat its replay. */
  private static final class Recovering {
    final List<Held> held = new ArrayList<>();
    boolean overflowed;
    /** Set once the replay is sent: live events of this stream up to {@code through} are not sent again. */
    String epoch;
    long through;
    boolean replayed;
  }

  private final AppHub hub;
  /** Channel, then socket; guarded by {@code this}, which also orders live delivery against replays. */
  private final Map<String, Map<PusherSocket, Recovering>> byChannel = new HashMap<>();

  ClusterRecovery(AppHub hub) {
    this.hub = hub;
  }

  /** From now on, live events of {@code channel} wait for {@code socket} until {@link #replayed}. */
  synchronized void hold(PusherSocket socket, String channel) {
    byChannel.computeIfAbsent(channel, name -> new HashMap<>()).put(socket, new Recovering());
  }

  /** Forgets {@code socket}'s recovery on {@code channel}: it left, or was refused. */
  synchronized void forget(PusherSocket socket, String channel) {
    Map<PusherSocket, Recovering> sockets = byChannel.get(channel);
    if (sockets != null && sockets.remove(socket) != null && sockets.isEmpty()) {
      byChannel.remove(channel);
    }
  }

  /** A live event at {@code offset} of stream {@code epoch}, already positioned, to the channel's sockets. */
  synchronized int deliver(String channel, String positioned, String exceptSocketId, String epoch, long offset) {
    Map<PusherSocket, Recovering> sockets = byChannel.get(channel);
    if (sockets == null) {
      return hub.sendToChannel(channel, positioned, exceptSocketId);
    }
    int sent = hub.sendToChannel(channel, positioned, exceptSocketId, sockets.keySet());
    for (Iterator<Map.Entry<PusherSocket, Recovering>> it = sockets.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<PusherSocket, Recovering> entry = it.next();
      Recovering recovering = entry.getValue();
      if (entry.getKey().socketId.equals(exceptSocketId)) {
        continue;
      }
      if (!recovering.replayed) {
        if (recovering.held.size() < MAX_HELD) {
          recovering.held.add(new Held(positioned, epoch, offset));
        } else {
          recovering.overflowed = true;
        }
        continue;
      }
      boolean sameStream = epoch.equals(recovering.epoch);
      if (!sameStream || offset > recovering.through) {
        entry.getKey().send(positioned);
        sent++;
      }
      if (!sameStream || offset >= recovering.through) {
        it.remove();
      }
    }
    if (sockets.isEmpty()) {
      byChannel.remove(channel);
    }
    return sent;
  }

  /**
   * Tells the channel's sockets, with an unasked {@value ChannelHistory#RECOVERY_EVENT} answer, that
   * the events after {@code gap}'s position are lost to them. A socket still waiting for its replay
   * is left out: its own answer comes from the shared history.
   */
  synchronized void missed(String channel, Replay gap) {
    Map<PusherSocket, Recovering> sockets = byChannel.getOrDefault(channel, Map.of());
    Set<PusherSocket> waiting = new HashSet<>();
    sockets.forEach((socket, recovering) -> {
      if (!recovering.replayed) {
        waiting.add(socket);
      }
    });
    hub.sendToChannel(channel, ChannelHistory.answer(channel, gap), null, waiting);
  }

  /**
   * Answers {@code socket}'s resubscribe with {@code replay} (null when the shared history could not
   * be read), sends the replayed events and then the live ones held meanwhile that the replay did
   * not have; from here on the socket gets the channel's live events again. {@code fromPosition}:
   * the client gave a position; without one it wants every event published since it subscribed.
   */
  synchronized void replayed(PusherSocket socket, String channel, Replay replay, boolean fromPosition) {
    Map<PusherSocket, Recovering> sockets = byChannel.get(channel);
    Recovering recovering = sockets == null ? null : sockets.get(socket);
    if (recovering == null || recovering.replayed) {
      return;
    }
    List<Held> held = recovering.held;
    if (recovering.overflowed) {
      Held newest = held.get(held.size() - 1);
      // the held events no longer follow on from the replay: tell the client it missed some, and
      // give it the newest position, from which live events go on
      replay = new Replay(Replay.UNAVAILABLE, newest.epoch(), newest.offset(), List.of());
      held = List.of();
    } else if (replay == null) {
      replay = new Replay(Replay.UNAVAILABLE, null, 0, List.of());
    } else if (!fromPosition && !held.isEmpty() && held.get(0).epoch().equals(replay.epoch())) {
      // held events came after the subscription, even those the read already saw: the client gets
      // them all, from the position before the first
      replay = new Replay(null, replay.epoch(), Math.min(replay.offset(), held.get(0).offset() - 1), List.of());
    }
    socket.send(ChannelHistory.answer(channel, replay));
    replay.events().forEach(socket::send);
    recovering.epoch = replay.epoch();
    recovering.through = replay.offset();
    for (Held event : held) {
      if (!fromPosition || !event.epoch().equals(recovering.epoch) || event.offset() > recovering.through) {
        socket.send(event.frame());
        recovering.epoch = event.epoch();
        recovering.through = event.offset();
      }
    }
    recovering.held.clear();
    recovering.replayed = true;
    if (!fromPosition || recovering.epoch == null) {
      // without a position nothing it got live can repeat a replay
      forget(socket, channel);
    }
  }
}
