package dev.broadcasting.server.spi;

import java.util.Map;

/**
 * This node's part of the cluster's state: sockets per channel and, on presence channels,
 * connections per member.
 *
 * @param subscriptions channel name to this node's sockets subscribed to it
 * @param members presence channel name to user id to this node's member
 */
public record LocalState(Map<String, Integer> subscriptions, Map<String, Map<String, Member>> members) {
  /** One user on a presence channel: its connections on this node and its {@code user_info} JSON. */
  public record Member(int connections, String userInfoJson) {}
}
