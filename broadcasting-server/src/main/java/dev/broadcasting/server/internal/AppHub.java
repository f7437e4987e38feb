package dev.broadcasting.server.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.broadcasting.pusher.protocol.PusherSigner;
import dev.broadcasting.server.App;
import dev.broadcasting.server.App.WebhookEvent;
import dev.broadcasting.server.spi.SharedApp;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Everything one app holds while the server runs: its sockets, its channels, signed-in users and
 * cached events. Publishing (from the HTTP API, the in-process driver or a client event) goes
 * through {@link #publish}, which encodes each event once per channel and hands the same bytes to
 * every subscriber.
 */
public final class AppHub {
  private final App app;
  private final PusherSigner signer;
  private final ServerSettings settings;
  private final List<WebhookSender> webhooks;
  private final AtomicInteger connections = new AtomicInteger();
  private final Map<String, PusherSocket> sockets = new ConcurrentHashMap<>();
  private final Map<String, ChannelState> channels = new ConcurrentHashMap<>();
  private final Map<String, Set<PusherSocket>> signedIn = new ConcurrentHashMap<>();
  private final CachedEvents cache;
  private final ChannelHistory history;
  private final AppCounters counters = new AppCounters();
  private volatile ServerEvents events = ServerEvents.NONE;
  /** The cluster this app shares its state with, or null on a single node. */
  AppCluster cluster;

  public AppHub(App app, ServerSettings settings, Webhooks webhooks) {
    this.app = app;
    this.signer = new PusherSigner(app.key(), app.secret());
    this.settings = settings;
    this.webhooks = webhooks.sendersFor(app, signer);
    this.cache = new CachedEvents(app.maxCacheChannels());
    this.history = new ChannelHistory(app.historyRules(),
        new dev.broadcasting.server.internal.history.MemoryHistoryStore(app.maxHistoryChannels(), System::nanoTime));
  }

  ChannelHistory history() {
    return history;
  }

  /** The cluster this app is part of, or null on a single node. */
  public AppCluster cluster() {
    return cluster;
  }

  public App app() {
    return app;
  }

  public PusherSigner signer() {
    return signer;
  }

  ServerSettings settings() {
    return settings;
  }

  public int connectionCount() {
    return connections.get();
  }

  public int channelCount() {
    return channels.size();
  }

  public AppCounters counters() {
    return counters;
  }

  public ServerEvents events() {
    return events;
  }

  /** Tells {@code listener} what happens in this app from now on, replacing the one before. */
  public void events(ServerEvents listener) {
    this.events = listener;
    webhooks.forEach(sender -> sender.events(listener));
  }

  /** The state of {@code channel}, or null when nobody is subscribed: for {@link HubView}. */
  ChannelState channel(String channel) {
    return channels.get(channel);
  }

  /** The open socket {@code socketId}, or null: for {@link HubView}. */
  PusherSocket socket(String socketId) {
    return sockets.get(socketId);
  }

  /** Registers a new socket, or returns false when the app is at its connection limit. */
  boolean open(PusherSocket socket) {
    int max = app.maxConnections();
    if (max > 0 && connections.incrementAndGet() > max) {
      connections.decrementAndGet();
      return false;
    }
    if (max == 0) {
      connections.incrementAndGet();
    }
    if (sockets.putIfAbsent(socket.socketId, socket) != null) {
      connections.decrementAndGet();
      throw new IllegalStateException("socket id collision on " + socket.socketId);
    }
    return true;
  }

  /** Forgets a closed socket: leaves its channels (announcing departed members) and its sign-in. */
  void closed(PusherSocket socket) {
    if (sockets.remove(socket.socketId, socket)) {
      connections.decrementAndGet();
    }
    for (Map.Entry<String, String> sub : List.copyOf(socket.subscriptions.entrySet())) {
      leave(socket, sub.getKey(), sub.getValue().isEmpty() ? null : sub.getValue());
    }
    socket.subscriptions.clear();
    if (socket.userId != null) {
      signedIn.computeIfPresent(socket.userId, (id, set) -> {
        set.remove(socket);
        return set.isEmpty() ? null : set;
      });
    }
  }

  /**
   * Subscribes {@code socket}, already authorized, to {@code channel}; for presence, as
   * {@code userId} with {@code userInfo}. Returns false when the presence channel is full.
   */
  boolean join(PusherSocket socket, String channel, String userId, JsonNode userInfo) {
    ChannelState.Change[] change = new ChannelState.Change[1];
    channels.compute(channel, (name, state) -> {
      ChannelState target = state == null ? new ChannelState(name) : state;
      change[0] = target.join(socket, userId, userInfo, app.maxPresenceMembers());
      return target.isEmpty() ? null : target;
    });
    if (change[0].refused()) {
      return false;
    }
    socket.subscriptions.put(channel, userId == null ? "" : userId);
    events.subscribed(socket.socketId, channel);
    if (cluster != null) {
      return true;
    }
    if (change[0].occupied()) {
      webhook(WebhookEvent.CHANNEL_OCCUPIED, channel, null);
    }
    if (change[0].memberAdded()) {
      sendToChannel(channel, PusherMessages.memberAdded(channel, userId, userInfo), socket.socketId);
      webhook(WebhookEvent.MEMBER_ADDED, channel, hook -> hook.put("user_id", userId));
    }
    return true;
  }

  void leave(PusherSocket socket, String channel, String userId) {
    if (cluster != null) {
      cluster.leave(socket, channel, userId);
      return;
    }
    ChannelState.Change change = leaveLocally(socket, channel, userId);
    if (change == null) {
      return;
    }
    if (change.memberRemoved()) {
      sendToChannel(channel, PusherMessages.memberRemoved(channel, userId), null);
      webhook(WebhookEvent.MEMBER_REMOVED, channel, hook -> hook.put("user_id", userId));
    }
    if (change.vacated()) {
      webhook(WebhookEvent.CHANNEL_VACATED, channel, null);
    }
  }

  /** Unsubscribes {@code socket} from this node's state only; null when it was not subscribed. */
  ChannelState.Change leaveLocally(PusherSocket socket, String channel, String userId) {
    ChannelState.Change[] change = new ChannelState.Change[1];
    channels.computeIfPresent(channel, (name, state) -> {
      change[0] = state.leave(socket, userId);
      return state.isEmpty() ? null : state;
    });
    socket.subscriptions.remove(channel);
    return change[0];
  }

  Map<String, ChannelState> channelStates() {
    return channels;
  }

  void signIn(PusherSocket socket, String userId) {
    socket.userId = userId;
    signedIn.computeIfAbsent(userId, id -> ConcurrentHashMap.newKeySet()).add(socket);
  }

  /**
   * Publishes {@code event} with {@code data} to every subscriber of each channel but the socket
   * {@code exceptSocketId}; cache channels remember it. Returns the number of frames queued on this
   * node (0 in a cluster, where it waits until the other nodes have the event too).
   */
  public int publish(String event, Collection<String> channelNames, String data, String exceptSocketId) {
    if (cluster != null) {
      AppCluster.await(publishEverywhere(event, channelNames, data, exceptSocketId));
      return 0;
    }
    int sent = 0;
    ServerEvents told = events;
    for (String channel : channelNames) {
      told.published(event, channel, data, exceptSocketId);
      String message = PusherMessages.event(event, channel, data);
      if (ChannelKind.isCache(channel)) {
        cache.put(channel, message);
      }
      sent += history.deliver(channel, message, positioned -> sendToChannel(channel, positioned, exceptSocketId));
    }
    return sent;
  }

  /**
   * Publishes as {@link #publish} to this node's subscribers and to the other nodes of the cluster;
   * fails at once, delivering nothing, while the cluster is out of reach.
   */
  public CompletableFuture<Void> publishEverywhere(String event, Collection<String> channelNames,
      String data, String exceptSocketId) {
    if (cluster == null) {
      publish(event, channelNames, data, exceptSocketId);
      return CompletableFuture.completedFuture(null);
    }
    cluster.checkReachable();
    List<CompletableFuture<Void>> shared = new ArrayList<>(channelNames.size());
    ServerEvents told = events;
    for (String channel : channelNames) {
      told.published(event, channel, data, exceptSocketId);
      String message = PusherMessages.event(event, channel, data);
      shared.add(cluster.shareDelivering(channel, message, exceptSocketId));
    }
    return CompletableFuture.allOf(shared.toArray(new CompletableFuture<?>[0]));
  }

  /** A client event from {@code sender}, already checked, to the channel's other subscribers. */
  void clientEvent(PusherSocket sender, String channel, String event, JsonNode data) {
    String userId = ChannelKind.of(channel) == ChannelKind.PRESENCE ? sender.subscriptions.get(channel) : null;
    String message = PusherMessages.clientEvent(event, channel, data, userId);
    if (ChannelKind.isCache(channel)) {
      cache.put(channel, message);
    }
    counters.clientEvents.increment();
    events.clientEvent(sender.socketId, channel, event, message.length());
    if (cluster != null) {
      cluster.shareClientEvent(channel, message, sender.socketId);
    } else {
      // live only, never kept: no replay gives a whisper back, not even to its sender
      sendToChannel(channel, message, sender.socketId);
    }
    webhook(WebhookEvent.CLIENT_EVENT, channel, hook -> {
      hook.put("event", event).put("data", data.isTextual() ? data.asText() : Json.write(data))
          .put("socket_id", sender.socketId);
      if (userId != null) {
        hook.put("user_id", userId);
      }
    });
  }

  /**
   * The last event of a cache channel, or null when there is none or it expired; a miss is also
   * announced to the app with the {@code cache_miss} webhook, so that it can publish the state.
   */
  String cachedEvent(String channel) {
    String cached = cache.get(channel);
    if (cached == null) {
      webhook(WebhookEvent.CACHE_MISS, channel, null);
    }
    return cached;
  }

  int sendToChannel(String channel, String message, String exceptSocketId) {
    return sendToChannel(channel, message, exceptSocketId, Set.of());
  }

  /** Sends {@code message} to the channel's subscribers but {@code exceptSocketId} and {@code skipped}. */
  int sendToChannel(String channel, String message, String exceptSocketId, Set<PusherSocket> skipped) {
    ChannelState state = channels.get(channel);
    if (state == null) {
      return 0;
    }
    ByteBuf bytes = Unpooled.wrappedBuffer(message.getBytes(StandardCharsets.UTF_8));
    int sent = 0;
    try {
      for (PusherSocket socket : state.subscribers) {
        if (!socket.socketId.equals(exceptSocketId) && !skipped.contains(socket)) {
          socket.send(bytes.retainedDuplicate());
          sent++;
        }
      }
    } finally {
      bytes.release();
    }
    counters.messagesOut.add(sent);
    return sent;
  }

  /** Closes every connection signed in ({@code pusher:signin}) as {@code userId}; returns how many. */
  public int terminateUser(String userId) {
    if (cluster != null) {
      cluster.terminateEverywhere(userId);
      return 0;
    }
    return terminateLocalUser(userId);
  }

  int terminateLocalUser(String userId) {
    List<PusherSocket> found = new ArrayList<>(signedIn.getOrDefault(userId, Set.of()));
    found.forEach(socket -> socket.channel.eventLoop().execute(
        () -> socket.refuse(4009, "Connection terminated by the server for user " + userId)));
    return found.size();
  }

  /** Occupied channels whose name starts with {@code prefix}, with their counts. */
  public Map<String, int[]> occupiedChannels(String prefix) {
    Map<String, int[]> found = new TreeMap<>();
    if (cluster != null) {
      cluster.channels(prefix).forEach((name, counts) -> found.put(name, new int[] {counts.subscriptions(), counts.users()}));
      return found;
    }
    channels.forEach((name, state) -> {
      if (name.startsWith(prefix) && !state.isEmpty()) {
        found.put(name, new int[] {state.subscribers.size(), state.userCount()});
      }
    });
    return found;
  }

  /** Subscription and user counts of one channel, or null when nobody is subscribed. */
  public int[] channelCounts(String channel) {
    if (cluster != null) {
      SharedApp.Counts counts = cluster.channel(channel);
      return counts == null ? null : new int[] {counts.subscriptions(), counts.users()};
    }
    ChannelState state = channels.get(channel);
    return state == null || state.isEmpty() ? null : new int[] {state.subscribers.size(), state.userCount()};
  }

  public List<String> presenceUserIds(String channel) {
    if (cluster != null) {
      return cluster.userIds(channel);
    }
    ChannelState state = channels.get(channel);
    return state == null ? List.of() : state.userIds();
  }

  String presenceSnapshot(String channel) {
    ChannelState state = channels.get(channel);
    return state == null ? "{\"presence\":{\"ids\":[],\"hash\":{},\"count\":0}}" : state.presenceSnapshot();
  }

  /**
   * Closes every socket with 4200, which tells pusher-js to reconnect elsewhere or later: for the
   * server's shutdown. Returns when they are closed, or after {@code timeoutMillis}.
   */
  public void closeAll(long timeoutMillis) {
    List<io.netty.channel.ChannelFuture> closing = new ArrayList<>();
    sockets.values().forEach(socket -> closing.add(socket.close(PusherSocket.GOING_AWAY, "Server shutting down")));
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    for (io.netty.channel.ChannelFuture future : closing) {
      long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
      if (left <= 0 || !future.awaitUninterruptibly(left)) {
        future.channel().close();
      }
    }
  }

  void webhook(WebhookEvent type, String channel, java.util.function.Consumer<ObjectNode> fill) {
    if (app.webhooks().isEmpty() || !app.webhookEvents().contains(type)) {
      return;
    }
    ObjectNode event = Json.object().put("name", type.wireName()).put("channel", channel);
    if (fill != null) {
      fill.accept(event);
    }
    byte[] json = Json.bytes(event);
    webhooks.forEach(sender -> sender.enqueue(json));
  }

  /** Webhook events waiting or being retried now, summed over the app's webhook URLs. */
  public int webhookBacklog() {
    int backlog = 0;
    for (WebhookSender sender : webhooks) {
      backlog += sender.backlogEvents();
    }
    return backlog;
  }

  /** Webhook events delivered, dropped, and connections open now, summed over the app's webhook URLs. */
  public long[] webhookCounts() {
    long[] counts = new long[3];
    for (WebhookSender sender : webhooks) {
      counts[0] += sender.sentEvents();
      counts[1] += sender.droppedEvents();
      counts[2] += sender.openConnections();
    }
    return counts;
  }
}
