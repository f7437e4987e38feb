package dev.broadcasting.server.spi;

/**
 * A change of a channel that the cluster decided once for all nodes, to be announced to clients
 * (member events) and to webhooks.
 *
 * @param userInfoJson the member's {@code user_info} as JSON for {@link Kind#MEMBER_ADDED}, else null
 */
public record Decision(Kind kind, String channel, String userId, String userInfoJson) {
  /** The Pusher webhook each decision is announced as. */
  public enum Kind { CHANNEL_OCCUPIED, CHANNEL_VACATED, MEMBER_ADDED, MEMBER_REMOVED }
}
