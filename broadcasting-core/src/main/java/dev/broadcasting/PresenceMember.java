package dev.broadcasting;

import java.util.Objects;

/**
 * Who joined a presence channel: the id that other members see, and optional information about the
 * user (a record, a POJO or a Map, serialized to JSON). A presence callback returns one to allow,
 * or null to deny. Members are counted by {@code userId}, so give the same id to every connection
 * of the same user.
 *
 * <pre>{@code
 * channels.presence("room.{roomId}", (user, params) ->
 *     user.rooms().contains(params.getLong("roomId")) ? PresenceMember.of(user.id(), Map.of("name", user.name())) : null);
 * }</pre>
 */
public final class PresenceMember {
  private final Object userId;
  private final Object userInfo;

  private PresenceMember(Object userId, Object userInfo) {
    this.userId = userId;
    this.userInfo = userInfo;
  }

  /** @param userId a string or a number; Pusher compares members by it */
  public static PresenceMember of(Object userId, Object userInfo) {
    Objects.requireNonNull(userId, "userId");
    if (!(userId instanceof String || userId instanceof Number)) {
      throw new IllegalArgumentException("userId must be a String or a Number but was " + userId.getClass().getName());
    }
    if (userId instanceof String && ((String) userId).isEmpty()) {
      throw new IllegalArgumentException("userId must not be empty");
    }
    return new PresenceMember(userId, userInfo);
  }

  public static PresenceMember of(Object userId) {
    return of(userId, null);
  }

  public Object userId() {
    return userId;
  }

  public Object userInfo() {
    return userInfo;
  }

  @Override
  public String toString() {
    return "PresenceMember{userId=" + userId + "}";
  }
}
