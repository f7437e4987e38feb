package dev.broadcasting.server.redis.internal;

import dev.broadcasting.server.HistoryRule;
import dev.broadcasting.server.spi.Decision;
import dev.broadcasting.server.spi.LocalApp;
import dev.broadcasting.server.spi.LocalState;
import dev.broadcasting.server.spi.SharedApp;
import io.lettuce.core.SetArgs;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One app's shared state in Redis. Keys live under {@code <prefix>{<app>}:} (one hash slot);
 * frames travel on the pub/sub channel {@code <prefix><app>:c:<channel>} as
 * {@code <origin node>\n<except socket>\n<frame>}, which only the nodes with sockets on that
 * channel subscribe to; the origin node has delivered to its own sockets already and skips it.
 * History channels' frames carry their position and are delivered by every node ({@link RedisHistory}).
 */
final class RedisSharedApp implements SharedApp {
  private static final long CACHE_TTL_MILLIS = 30 * 60 * 1000;

  /** A channel this node's sockets use, and the subscription that brings its frames from the others. */
  private static final class Used {
    int sockets;
    CompletableFuture<Void> subscribed;
  }

  private final RedisNode node;
  private final String appId;
  private final String keys;
  private final String channelPrefix;
  private final String terminateChannel;
  private final LocalApp local;
  private final RedisHistory history;
  private final Map<String, Used> used = new HashMap<>();
  /** Whether Redis has had this node's state once: registering again after a Redis restart is quiet. */
  private volatile boolean registeredBefore;

  RedisSharedApp(RedisNode node, String appId, String keyPrefix, LocalApp local) {
    this.node = node;
    this.appId = appId;
    this.keys = keyPrefix + "{" + appId + "}:";
    this.channelPrefix = keyPrefix + appId + ":c:";
    this.terminateChannel = keyPrefix + appId + ":t";
    this.local = local;
    this.history = new RedisHistory(node, channelPrefix);
  }

  String appId() {
    return appId;
  }

  private RedisClusterAsyncCommands<String, String> redis() {
    return node.links.commands();
  }

  @Override
  public CompletableFuture<Void> publish(String channel, String frame, String exceptSocketId, boolean cache) {
    CompletableFuture<Long> published = node.links.publish(channelPrefix + channel, envelope(exceptSocketId, frame));
    if (!cache) {
      return published.thenApply(receivers -> null);
    }
    CompletableFuture<String> kept = redis().set(keys + "cache:" + channel, frame, SetArgs.Builder.px(CACHE_TTL_MILLIS))
        .toCompletableFuture();
    return CompletableFuture.allOf(published, kept);
  }

  private String envelope(String exceptSocketId, String frame) {
    return envelopeHead(exceptSocketId) + "\n" + frame;
  }

  private String envelopeHead(String exceptSocketId) {
    return node.id() + "\n" + (exceptSocketId == null ? "" : exceptSocketId);
  }

  /**
   * A frame from the pub/sub connection: {@code what} is {@code c:<channel>} or {@code t}. A history
   * channel's frame carries its position ({@code <origin>\n<except>\n<epoch>\n<offset>\n<frame>})
   * and is delivered by every node, its origin too; any other is delivered by the other nodes.
   */
  void received(String what, String message) {
    int first = message.indexOf('\n');
    int second = first < 0 ? -1 : message.indexOf('\n', first + 1);
    if (second < 0) {
      return;
    }
    boolean fromHere = first == node.id().length() && message.startsWith(node.id());
    String except = message.substring(first + 1, second);
    String exceptSocket = except.isEmpty() ? null : except;
    if (what.startsWith("c:") && message.length() > second + 1 && message.charAt(second + 1) != '{') {
      int third = message.indexOf('\n', second + 1);
      int fourth = third < 0 ? -1 : message.indexOf('\n', third + 1);
      if (fourth > 0) {
        local.deliverKept(what.substring(2), message.substring(fourth + 1), exceptSocket,
            message.substring(second + 1, third), Long.parseLong(message, third + 1, fourth, 10), !fromHere);
      }
      return;
    }
    if (fromHere) {
      return;
    }
    String body = message.substring(second + 1);
    if (what.startsWith("c:")) {
      local.deliver(what.substring(2), body, exceptSocket);
    } else if (what.equals("t")) {
      local.terminateUser(body);
    }
  }

  @Override
  public CompletableFuture<Void> publishKept(String channel, String frame, String exceptSocketId, boolean cache,
      HistoryRule rule) {
    CompletableFuture<Long> kept = history.append(channel, rule, envelopeHead(exceptSocketId), frame);
    if (!cache) {
      return kept.thenApply(offset -> null);
    }
    CompletableFuture<String> cached = redis().set(keys + "cache:" + channel, frame, SetArgs.Builder.px(CACHE_TTL_MILLIS))
        .toCompletableFuture();
    return CompletableFuture.allOf(kept, cached);
  }

  @Override
  public CompletableFuture<Kept> history(String channel, HistoryRule rule, String epoch, Long offset, int limit) {
    return history.read(channel, rule, epoch, offset, limit);
  }

  @Override
  public CompletableFuture<Joined> join(String channel, String userId, String userInfoJson, int maxMembers) {
    CompletableFuture<Void> subscribed;
    synchronized (used) {
      Used use = used.computeIfAbsent(channel, name -> new Used());
      if (use.sockets++ == 0) {
        use.subscribed = node.links.subscribe(channelPrefix + channel);
      }
      subscribed = use.subscribed;
    }
    CompletableFuture<List<Object>> counted = node.script.run(keys, "join", node.id(), channel,
        userId == null ? "" : userId, userInfoJson == null ? "null" : userInfoJson, Integer.toString(maxMembers));
    return subscribed.thenCombine(counted, (ok, result) -> result).thenCompose(result -> {
      String status = (String) result.get(0);
      if (status.equals("full")) {
        return CompletableFuture.completedFuture(Joined.full());
      }
      if (status.equals("unregistered")) {
        // Redis lost this node (a restart, a lapsed lease): registering it again counts this socket too
        return register().thenCompose(done -> members(channel, userId != null));
      }
      return CompletableFuture.completedFuture(new Joined(false, decisions(result.get(1)),
          pairs(result.get(2)), emptyToNull((String) result.get(3))));
    });
  }

  private CompletableFuture<Joined> members(String channel, boolean presence) {
    CompletableFuture<Map<String, String>> members = presence
        ? redis().hgetall(keys + "m:" + channel).toCompletableFuture() : CompletableFuture.completedFuture(Map.of());
    CompletableFuture<String> cached = redis().get(keys + "cache:" + channel).toCompletableFuture();
    return members.thenCombine(cached, (m, c) -> new Joined(false, List.of(), m, c));
  }

  @Override
  public CompletableFuture<List<Decision>> leave(String channel, String userId) {
    synchronized (used) {
      Used use = used.get(channel);
      if (use != null && --use.sockets == 0) {
        used.remove(channel);
        node.links.unsubscribe(channelPrefix + channel);
      }
    }
    return node.script.run(keys, "leave", node.id(), channel, userId == null ? "" : userId)
        .thenApply(result -> decisions(result.get(1)));
  }

  @Override
  public CompletableFuture<Void> terminateUser(String userId) {
    return node.links.publish(terminateChannel, envelope(null, userId)).thenApply(n -> null);
  }

  @Override
  public CompletableFuture<Map<String, Counts>> channels(String prefix) {
    return redis().hgetall(keys + "subs").toCompletableFuture().thenCompose(all -> {
      Map<String, CompletableFuture<Long>> users = new TreeMap<>();
      all.keySet().stream().filter(name -> name.startsWith(prefix)).forEach(name -> users.put(name,
          name.startsWith("presence-") ? redis().hlen(keys + "m:" + name).toCompletableFuture()
              : CompletableFuture.completedFuture(0L)));
      return CompletableFuture.allOf(users.values().toArray(new CompletableFuture<?>[0])).thenApply(done -> {
        Map<String, Counts> found = new TreeMap<>();
        users.forEach((name, count) -> found.put(name,
            new Counts(Integer.parseInt(all.get(name)), count.join().intValue())));
        return found;
      });
    });
  }

  @Override
  public CompletableFuture<Counts> channel(String channel) {
    CompletableFuture<String> subs = redis().hget(keys + "subs", channel).toCompletableFuture();
    CompletableFuture<Long> users = redis().hlen(keys + "m:" + channel).toCompletableFuture();
    return subs.thenCombine(users, (s, u) -> s == null ? null : new Counts(Integer.parseInt(s), u.intValue()));
  }

  @Override
  public CompletableFuture<List<String>> userIds(String channel) {
    return redis().hkeys(keys + "m:" + channel).toCompletableFuture();
  }

  /**
   * Registers this node's whole state, whatever Redis held of it: subscribes to its channels again
   * and makes its counts and members what its sockets say, announcing what that changed.
   */
  CompletableFuture<Void> register() {
    AtomicReference<CompletableFuture<List<Object>>> synced = new AtomicReference<>();
    List<CompletableFuture<Void>> subscribed = new ArrayList<>();
    local.register(state -> {
      synchronized (used) {
        used.clear();
        state.subscriptions().forEach((channel, sockets) -> {
          Used use = new Used();
          use.sockets = sockets;
          use.subscribed = node.links.subscribe(channelPrefix + channel);
          used.put(channel, use);
          subscribed.add(use.subscribed);
        });
      }
      subscribed.add(node.links.subscribe(terminateChannel));
      synced.set(node.script.run(keys, syncArgs(state)));
    });
    return CompletableFuture.allOf(subscribed.toArray(new CompletableFuture<?>[0]))
        .thenCombine(synced.get(), (done, result) -> result)
        .thenAccept(result -> {
          registeredBefore = true;
          local.decided(decisions(result.get(1)));
        });
  }

  private String[] syncArgs(LocalState state) {
    List<String> args = new ArrayList<>(List.of("sync", node.id(), Long.toString(node.leaseMillis()),
        registeredBefore ? "again" : "first"));
    state.subscriptions().forEach((channel, sockets) -> {
      args.add("s:" + channel);
      args.add(Integer.toString(sockets));
      args.add("");
    });
    state.members().forEach((channel, users) -> users.forEach((user, member) -> {
      args.add("p:" + channel + "\n" + user);
      args.add(Integer.toString(member.connections()));
      args.add(member.userInfoJson() == null ? "null" : member.userInfoJson());
    }));
    return args.toArray(new String[0]);
  }

  /** Renews this node's lease and drops lapsed nodes; after a failure, registers everything again. */
  CompletableFuture<Void> renew(boolean afterFailure) {
    if (afterFailure) {
      return register();
    }
    return node.script.run(keys, "beat", node.id(), Long.toString(node.leaseMillis())).thenCompose(result -> {
      if ("unregistered".equals(result.get(0))) {
        return register();
      }
      local.decided(decisions(result.get(1)));
      return CompletableFuture.completedFuture(null);
    });
  }

  /** Takes this node's state out of the cluster at once, announcing what that changes. */
  CompletableFuture<Void> leaveCluster() {
    return node.script.run(keys, "drop", node.id())
        .thenAccept(result -> local.decided(decisions(result.get(1))))
        .thenCompose(done -> redis().ping().toCompletableFuture())
        .thenApply(pong -> null);
  }

  @SuppressWarnings("unchecked")
  private static List<Decision> decisions(Object raw) {
    List<Decision> decisions = new ArrayList<>();
    for (Object item : (List<Object>) raw) {
      List<Object> event = (List<Object>) item;
      String channel = (String) event.get(1);
      switch ((String) event.get(0)) {
        case "channel_occupied" -> decisions.add(new Decision(Decision.Kind.CHANNEL_OCCUPIED, channel, null, null));
        case "channel_vacated" -> decisions.add(new Decision(Decision.Kind.CHANNEL_VACATED, channel, null, null));
        case "member_added" -> decisions.add(new Decision(Decision.Kind.MEMBER_ADDED, channel, (String) event.get(2),
            event.size() > 3 ? (String) event.get(3) : null));
        case "member_removed" -> decisions.add(new Decision(Decision.Kind.MEMBER_REMOVED, channel,
            (String) event.get(2), null));
        default -> throw new IllegalStateException("cluster.lua answered an unknown decision " + event);
      }
    }
    return decisions;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, String> pairs(Object raw) {
    List<Object> flat = (List<Object>) raw;
    Map<String, String> map = new LinkedHashMap<>();
    for (int i = 0; i + 1 < flat.size(); i += 2) {
      map.put((String) flat.get(i), (String) flat.get(i + 1));
    }
    return map;
  }

  private static String emptyToNull(String value) {
    return value == null || value.isEmpty() ? null : value;
  }
}
