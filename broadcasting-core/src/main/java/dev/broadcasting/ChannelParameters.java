package dev.broadcasting;

import java.util.Map;
import java.util.UUID;

/**
 * The values a channel pattern captured, by name: for {@code chat.{userId}} and the channel
 * {@code private-chat.42}, {@code getLong("userId")} is 42. A value that does not convert throws,
 * which the authorizer answers with 403 and logs.
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
    return Long.parseLong(get(name));
  }

  public int getInt(String name) {
    return Integer.parseInt(get(name));
  }

  public UUID getUuid(String name) {
    return UUID.fromString(get(name));
  }

  public Map<String, String> asMap() {
    return values;
  }

  @Override
  public String toString() {
    return values.toString();
  }
}
