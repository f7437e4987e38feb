package dev.broadcasting.server.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.broadcasting.server.App.WebhookEvent;
import dev.broadcasting.server.HistoryRule;
import dev.broadcasting.server.internal.history.MemoryHistoryStore;
import dev.broadcasting.server.internal.history.Replay;
import dev.broadcasting.server.spi.Backplane;
import dev.broadcasting.server.spi.Decision;
import dev.broadcasting.server.spi.LocalApp;
import dev.broadcasting.server.spi.LocalState;
import dev.broadcasting.server.spi.SharedApp;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One app's membership of a cluster: the {@link AppHub} keeps its own sockets, this class tells the
 * {@link Backplane} what they do and acts on what the cluster decides. Occupied/vacated and member
 * changes are announced from the backplane's decisions only, so each goes out once for the whole
 * cluster. While the backplane is out of reach the node keeps serving its own sockets; the
 * backplane registers this node's state again when it is back.
 */
public final class AppCluster implements LocalApp {
  private static final Logger log = LoggerFactory.getLogger(AppCluster.class);
  /** How long an HTTP API call waits for the cluster before answering 503. */
  static final long WAIT_MILLIS = 5000;

  private final AppHub hub;
  private final Backplane backplane;
  private final SharedApp shared;
  private final ClusterRecovery recovery;
  private final AtomicLong lostClientEvents = new AtomicLong();
  /** When client events lost were last logged; starts a minute back, so that the first is logged. */
  private final AtomicLong lastLostWarning = new AtomicLong(System.nanoTime() - TimeUnit.MINUTES.toNanos(1));
  private final GapRepair gaps;
  private final ThreadPoolExecutor apiThreads = new ThreadPoolExecutor(2, 2, 0, TimeUnit.MILLISECONDS,
      new ArrayBlockingQueue<>(1000), runnable -> {
        Thread thread = new Thread(runnable, "broadcast-server-cluster-api");
        thread.setDaemon(true);
        return thread;
      });

  private AppCluster(AppHub hub, Backplane backplane) {
    this.hub = hub;
    this.backplane = backplane;
    this.recovery = new ClusterRecovery(hub);
    this.gaps = new GapRepair(recovery, (channel, epoch, offset, count) -> {
      HistoryRule rule = hub.history().ruleFor(channel);
      return rule == null ? CompletableFuture.failedFuture(new IllegalStateException("no history rule here"))
          : history(channel, rule, epoch, offset, count);
    }, channel -> hub.channelStates().containsKey(channel));
    this.shared = backplane.attach(hub.app().id(), this);
  }

  /** Joins {@code hub} to the cluster of {@code backplane}; from now on it shares its state. */
  public static void attach(AppHub hub, Backplane backplane) {
    hub.cluster = new AppCluster(hub, backplane);
  }

  /** The threads that answer HTTP API calls, which wait for the cluster; at most 1000 calls queue. */
  ExecutorService apiThreads() {
    return apiThreads;
  }

  /** Stops the API threads; the server closes the backplane itself. */
  public void close() {
    apiThreads.shutdown();
  }

  String problem() {
    return backplane.problem();
  }

  /**
   * Subscribes {@code socket}, already authorized and checked, then answers it once the cluster has
   * counted it: subscription_succeeded with the cluster's members and last cached event, or a
   * refusal when the presence channel is full cluster-wide. With {@code recovery} (the subscribe's
   * position, or null), then answers as {@link ChannelHistory#subscribe} does on one node, replaying
   * from the shared history. Runs on the socket's event loop.
   */
  void subscribe(PusherSocket socket, String channel, String userId, JsonNode userInfo, JsonNode recovery) {
    HistoryRule rule = hub.history().ruleFor(channel);
    boolean recovering = rule != null && recovery != null && recovery.isObject();
    boolean noHistory = rule == null && recovery != null && recovery.isObject();
    boolean withCache = !hub.history().replaysFrom(channel, recovery);
    CompletableFuture<SharedApp.Joined> joining;
    // the local join and its dispatch happen together, so a re-registration sees both or neither
    synchronized (this) {
      if (recovering) {
        this.recovery.hold(socket, channel);
      }
      if (!hub.join(socket, channel, userId, userInfo)) {
        this.recovery.forget(socket, channel);
        refuseFull(socket, channel);
        return;
      }
      joining = shared.join(channel, userId, userInfo == null ? null : Json.write(userInfo),
          hub.app().maxPresenceMembers());
    }
    joining.whenComplete((joined, error) -> socket.channel.eventLoop().execute(() -> {
      if (error != null) {
        log.warn("Socket {} subscribed to {} on this node only: the cluster is out of reach ({})",
            socket.socketId, channel, error.toString());
        answerSubscribed(socket, channel, hub.presenceSnapshot(channel), withCache, withCache ? hub.cachedEvent(channel) : null);
      } else if (joined.refused()) {
        this.recovery.forget(socket, channel);
        undoRefused(socket, channel, userId);
        refuseFull(socket, channel);
        return;
      } else {
        Map<String, JsonNode> members = new LinkedHashMap<>();
        joined.members().forEach((id, info) -> members.put(id, info == null ? null : Json.parseOrNull(info)));
        answerSubscribed(socket, channel, PusherMessages.presenceData(members), withCache, joined.cachedFrame());
        if (withCache && ChannelKind.isCache(channel) && joined.cachedFrame() == null) {
          hub.webhook(WebhookEvent.CACHE_MISS, channel, null);
        }
        announce(joined.decisions(), socket.socketId);
      }
      if (recovering) {
        replay(socket, channel, rule, recovery);
      } else if (noHistory) {
        socket.send(ChannelHistory.answer(channel, ChannelHistory.NO_HISTORY, null, 0, 0));
      }
    }));
  }

  /** Reads what {@code socket} missed from the shared history and hands it to the recovery. */
  private void replay(PusherSocket socket, String channel, HistoryRule rule, JsonNode position) {
    Long offset = ChannelHistory.offsetOf(position);
    boolean malformed = ChannelHistory.malformed(position);
    String epoch = malformed ? null : Json.text(position, "epoch");
    history(channel, rule, epoch, offset, Integer.MAX_VALUE).whenComplete((replay, error) -> {
      if (error != null) {
        log.warn("Socket {} resubscribed to {} without its missed events: the shared history did not answer ({})",
            socket.socketId, channel, error.toString());
      }
      Replay answer = malformed && replay != null
          ? new Replay(Replay.INVALID, replay.epoch(), replay.offset(), List.of()) : replay;
      // a malformed position goes on from the position now, as a whole one does after its replay
      recovery.replayed(socket, channel, answer, offset != null || malformed);
    });
  }

  /**
   * The kept events of {@code channel} after {@code offset} (null: only the position) of stream
   * {@code epoch} (null: the current one), positioned as they are delivered live.
   */
  CompletableFuture<Replay> history(String channel, HistoryRule rule, String epoch, Long offset, int limit) {
    return shared.history(channel, rule, epoch, offset, limit).thenApply(kept -> {
      List<String> events = new ArrayList<>(kept.frames().size());
      long next = offset == null ? 0 : offset + 1;
      for (String frame : kept.frames()) {
        events.add(MemoryHistoryStore.withPosition(frame, kept.epoch(), next++));
      }
      return new Replay(kept.notRecoveredReason(), kept.epoch(), kept.lastOffset(), events);
    });
  }

  /** The cluster counted a refused socket as a subscriber but not as a member: take back just that. */
  private synchronized void undoRefused(PusherSocket socket, String channel, String userId) {
    if (hub.leaveLocally(socket, channel, userId) != null) {
      leftLocally(channel);
      shared.leave(channel, null);
    }
  }

  /** After a socket left {@code channel} here: the last one takes the channel's delivered position along. */
  private void leftLocally(String channel) {
    if (!hub.channelStates().containsKey(channel)) {
      gaps.forget(channel);
    }
  }

  private void refuseFull(PusherSocket socket, String channel) {
    socket.send(PusherMessages.subscriptionError(channel, "LimitReached", channel + " already has "
        + hub.app().maxPresenceMembers() + " members, the most this app allows", 403));
  }

  /** {@code withCache}: false when the recovery's replay stands in for a cache channel's last event. */
  private static void answerSubscribed(PusherSocket socket, String channel, String presence, boolean withCache,
      String cached) {
    boolean isPresence = ChannelKind.of(channel) == ChannelKind.PRESENCE;
    socket.send(PusherMessages.subscriptionSucceeded(channel, isPresence ? presence : "{}"));
    if (withCache && ChannelKind.isCache(channel)) {
      socket.send(cached != null ? cached : PusherMessages.cacheMiss(channel));
    }
  }

  /** Unsubscribes {@code socket} here and in the cluster, announcing what the cluster decides. */
  void leave(PusherSocket socket, String channel, String userId) {
    CompletableFuture<List<Decision>> leaving;
    synchronized (this) {
      recovery.forget(socket, channel);
      if (hub.leaveLocally(socket, channel, userId) == null) {
        return;
      }
      leftLocally(channel);
      leaving = shared.leave(channel, userId);
    }
    leaving.whenComplete((decisions, error) -> {
      if (error != null) {
        log.debug("Leave of {} not counted in the cluster yet ({}); it is when this node registers again",
            channel, error.toString());
      } else {
        announce(decisions, null);
      }
    });
  }

  /**
   * Delivers {@code frame} to the channel's subscribers on every node. A history channel's frame
   * first gets its position in the shared history and reaches this node's sockets, as the others',
   * from the backplane, in the order of positions.
   */
  CompletableFuture<Void> shareDelivering(String channel, String frame, String exceptSocketId) {
    HistoryRule rule = hub.history().ruleFor(channel);
    if (rule != null) {
      return shared.publishKept(channel, frame, exceptSocketId, ChannelKind.isCache(channel), rule);
    }
    return shareLive(channel, frame, exceptSocketId);
  }

  /** Delivers {@code frame} to the channel's subscribers on every node, without keeping it. */
  private CompletableFuture<Void> shareLive(String channel, String frame, String exceptSocketId) {
    hub.sendToChannel(channel, frame, exceptSocketId);
    return shared.publish(channel, frame, exceptSocketId, ChannelKind.isCache(channel));
  }

  /**
   * Delivers a client event live, never kept in history (as Pusher, nobody replays a client's
   * whisper, not even back to its sender). Nobody waits for it, so one that the
   * cluster did not take (it is out of reach) is logged, once in ten seconds with the number lost
   * meanwhile.
   */
  void shareClientEvent(String channel, String frame, String senderSocketId) {
    shareLive(channel, frame, senderSocketId).whenComplete((done, error) -> {
      if (error == null) {
        return;
      }
      long lost = lostClientEvents.incrementAndGet();
      long now = System.nanoTime();
      long last = lastLostWarning.get();
      if (now - last >= TimeUnit.SECONDS.toNanos(10) && lastLostWarning.compareAndSet(last, now)) {
        lostClientEvents.addAndGet(-lost);
        log.warn("{} client event(s) did not reach the other nodes, the last on {}: "
            + "the cluster is out of reach ({})", lost, channel, error.toString());
      }
    });
  }

  /** Refuses to publish while the cluster is out of reach: nothing is delivered anywhere then. */
  void checkReachable() {
    String problem = backplane.problem();
    if (problem != null) {
      throw new ClusterUnavailableException("The cluster is out of reach (" + problem + "); the event was not "
          + "published. Try again once GET /health answers ok");
    }
  }

  /**
   * Closes the connections of {@code userId} on this node, then asks the other nodes to; waits for
   * that request to reach the cluster (only called off the event loops, see {@link ClusterHttp}).
   */
  void terminateEverywhere(String userId) {
    hub.terminateLocalUser(userId);
    await(shared.terminateUser(userId));
  }

  Map<String, SharedApp.Counts> channels(String prefix) {
    return await(shared.channels(prefix));
  }

  SharedApp.Counts channel(String channel) {
    return await(shared.channel(channel));
  }

  List<String> userIds(String channel) {
    return await(shared.userIds(channel));
  }

  /** Waits for an answer of the cluster; only called off the event loops (see {@link ClusterHttp}). */
  static <T> T await(CompletableFuture<T> answer) {
    try {
      return answer.get(WAIT_MILLIS, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new ClusterUnavailableException("The cluster did not answer: " + e.getCause().getMessage(), e.getCause());
    } catch (TimeoutException e) {
      throw new ClusterUnavailableException("The cluster did not answer within " + WAIT_MILLIS + " ms", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ClusterUnavailableException("Interrupted while waiting for the cluster", e);
    }
  }

  @Override
  public void deliver(String channel, String frame, String exceptSocketId) {
    hub.sendToChannel(channel, frame, exceptSocketId);
    ServerEvents told = hub.events();
    if (told != ServerEvents.NONE) {
      tellRelayed(told, channel, frame);
    }
  }

  @Override
  public void deliverKept(String channel, String frame, String exceptSocketId, String epoch, long offset,
      boolean relayed) {
    gaps.deliver(channel, MemoryHistoryStore.withPosition(frame, epoch, offset), exceptSocketId, epoch, offset);
    ServerEvents told = hub.events();
    if (relayed && told != ServerEvents.NONE) {
      tellRelayed(told, channel, frame);
    }
  }

  /** Events, not the member announcements, in the log; parsed only when someone listens. */
  private static void tellRelayed(ServerEvents told, String channel, String frame) {
    JsonNode parsed = Json.parseOrNull(frame);
    String event = parsed == null ? "" : parsed.path("event").asText();
    if (!event.isEmpty() && !event.startsWith("pusher_internal:")) {
      JsonNode data = parsed.path("data");
      told.relayed(event, channel, Json.utf8Length(data.isTextual() ? data.asText() : data.toString()));
    }
  }

  @Override
  public void terminateUser(String userId) {
    hub.terminateLocalUser(userId);
  }

  @Override
  public void decided(List<Decision> decisions) {
    announce(decisions, null);
  }

  @Override
  public void register(Consumer<LocalState> registration) {
    synchronized (this) {
      Map<String, Integer> subscriptions = new HashMap<>();
      Map<String, Map<String, LocalState.Member>> members = new HashMap<>();
      hub.channelStates().forEach((name, state) -> {
        subscriptions.put(name, state.subscribers.size());
        Map<String, LocalState.Member> users = state.members();
        if (!users.isEmpty()) {
          members.put(name, users);
        }
      });
      registration.accept(new LocalState(subscriptions, members));
    }
  }

  /**
   * Announces the cluster's decisions: member events to the channel's subscribers on every node
   * (this one directly, the others through the backplane), and each as a webhook from this node only.
   */
  private void announce(List<Decision> decisions, String exceptSocketId) {
    for (Decision decision : decisions) {
      String channel = decision.channel();
      switch (decision.kind()) {
        case CHANNEL_OCCUPIED -> hub.webhook(WebhookEvent.CHANNEL_OCCUPIED, channel, null);
        case CHANNEL_VACATED -> hub.webhook(WebhookEvent.CHANNEL_VACATED, channel, null);
        case MEMBER_ADDED -> {
          JsonNode info = decision.userInfoJson() == null ? null : Json.parseOrNull(decision.userInfoJson());
          String frame = PusherMessages.memberAdded(channel, decision.userId(), info);
          hub.sendToChannel(channel, frame, exceptSocketId);
          shareQuietly(channel, frame, exceptSocketId);
          hub.webhook(WebhookEvent.MEMBER_ADDED, channel, hook -> hook.put("user_id", decision.userId()));
        }
        case MEMBER_REMOVED -> {
          String frame = PusherMessages.memberRemoved(channel, decision.userId());
          hub.sendToChannel(channel, frame, null);
          shareQuietly(channel, frame, null);
          hub.webhook(WebhookEvent.MEMBER_REMOVED, channel, hook -> hook.put("user_id", decision.userId()));
        }
        default -> throw new IllegalStateException("unknown decision " + decision);
      }
    }
  }

  private void shareQuietly(String channel, String frame, String exceptSocketId) {
    shared.publish(channel, frame, exceptSocketId, false).whenComplete((done, error) -> {
      if (error != null) {
        log.warn("A member event of {} reached this node's sockets only: {}", channel, error.toString());
      }
    });
  }
}
