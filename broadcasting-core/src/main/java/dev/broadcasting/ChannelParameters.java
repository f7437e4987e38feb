package dev.broadcasting;

import java.util.Map;
import java.util.UUID;

/**
 * The values a channel pattern captured, by name: for {@code chat.{userId}} and the channel
 * {@code private-chat.42}, {@code getLong("userId")} is 42. A value that does not convert (a
 * client asking for {@code private-chat.abc}) is the client's mistake, not the application's: the
 * authorizer answers it with a quiet 403 and gives the reason at debug level.
 */
public final class ChannelParameters {
  private final Map<String, String> values;

  ChannelParameters(Map<String, String> values) {
    this.values = Map.copyOf(values);
  }

  /** The captured text; throws if the pattern has no such parameter. */
  public String get(String name) {
    String value = values.get(name);
    if (value == null) {
      throw new IllegalArgumentException("The pattern has no parameter {" + name + "}; it has " + values.keySet());
    }
    return value;
  }

  public long getLong(String name) {
    String value = get(name);
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw new Unconvertible(name, value, "a whole number");
    }
  }

  public int getInt(String name) {
    String value = get(name);
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw new Unconvertible(name, value, "a whole number within int range");
    }
  }

  public UUID getUuid(String name) {
    String value = get(name);
    try {
      return UUID.fromString(value);
    } catch (IllegalArgumentException e) {
      throw new Unconvertible(name, value, "a UUID");
    }
  }

  public Map<String, String> asMap() {
    return values;
  }

  @Override
  public String toString() {
    return values.toString();
  }

  /** A captured value a getter could not convert: the channel name a client asked for is wrong. */
  static final class Unconvertible extends IllegalArgumentException {
    Unconvertible(String name, String value, String expected) {
      // the value comes from a client: cut it short, as it ends up in a log line
      super("parameter {" + name + "} is not " + expected + ": \""
          + (value.length() > 40 ? value.substring(0, 40) + "..." : value) + "\"");
    }
  }
}
