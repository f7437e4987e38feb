package dev.broadcasting;

/**
 * What the channel callbacks decided, before any signing: for front ends that prove access in
 * their own way, such as Ably tokens. {@link ChannelAuthorizer#authorize} signs it for you.
 *
 * @param allowed whether the user may join
 * @param channelData for an allowed presence channel, the member as JSON,
 *     {@code {"user_id":..,"user_info":..}}; otherwise null
 */
public record AuthDecision(boolean allowed, String channelData) {
  static final AuthDecision DENIED = new AuthDecision(false, null);
  static final AuthDecision ALLOWED = new AuthDecision(true, null);
}
