package dev.broadcasting.server.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.broadcasting.server.spi.LocalState;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The sockets subscribed to one channel and, on presence channels, its members counted by user id:
 * a user with three tabs open is one member with three connections. Broadcasts read
 * {@link #subscribers} without a lock; membership changes are synchronized.
 */
final class ChannelState {
  /** What a join or leave changed, for the caller to announce outside the lock. */
  record Change(boolean occupied, boolean vacated, boolean memberAdded, boolean memberRemoved, boolean refused) {}

  private record Member(JsonNode info, int connections) {}

  final String name;
  final Set<PusherSocket> subscribers = ConcurrentHashMap.newKeySet();
  private final Map<String, Member> members = new LinkedHashMap<>();

  ChannelState(String name) {
    this.name = name;
  }

  /**
   * Adds {@code socket}; on presence channels also its user, unless the channel already has
   * {@code maxMembers} other users, in which case nothing changes and the change says refused.
   */
  synchronized Change join(PusherSocket socket, String userId, JsonNode userInfo, int maxMembers) {
    boolean memberAdded = false;
    if (userId != null) {
      Member member = members.get(userId);
      if (member == null && members.size() >= maxMembers) {
        return new Change(false, false, false, false, true);
      }
      if (!subscribers.contains(socket)) {
        members.put(userId, new Member(member == null ? userInfo : member.info(),
            member == null ? 1 : member.connections() + 1));
      }
      memberAdded = member == null;
    }
    boolean occupied = subscribers.isEmpty();
    subscribers.add(socket);
    return new Change(occupied, false, memberAdded, false, false);
  }

  synchronized Change leave(PusherSocket socket, String userId) {
    if (!subscribers.remove(socket)) {
      return new Change(false, false, false, false, false);
    }
    boolean memberRemoved = false;
    if (userId != null) {
      Member member = members.get(userId);
      if (member != null && member.connections() > 1) {
        members.put(userId, new Member(member.info(), member.connections() - 1));
      } else if (member != null) {
        members.remove(userId);
        memberRemoved = true;
      }
    }
    return new Change(false, subscribers.isEmpty(), false, memberRemoved, false);
  }

  synchronized boolean isEmpty() {
    return subscribers.isEmpty();
  }

  synchronized int userCount() {
    return members.size();
  }

  synchronized List<String> userIds() {
    return new ArrayList<>(members.keySet());
  }

  /** The data of a presence subscription_succeeded: {@code {"presence":{"ids","hash","count"}}}. */
  synchronized String presenceSnapshot() {
    Map<String, JsonNode> infos = new LinkedHashMap<>();
    members.forEach((id, member) -> infos.put(id, member.info()));
    return PusherMessages.presenceData(infos);
  }

  /** The members with their connections on this node, for the cluster. */
  synchronized Map<String, LocalState.Member> members() {
    Map<String, LocalState.Member> copy = new LinkedHashMap<>();
    members.forEach((id, member) -> copy.put(id,
        new LocalState.Member(member.connections(), member.info() == null ? null : Json.write(member.info()))));
    return copy;
  }
}
