package dev.broadcasting.spi;

import dev.broadcasting.BroadcastException;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The settings a driver is created from: Laravel's variable names ({@code PUSHER_APP_KEY},
 * {@code REDIS_URL}, ...) read from the environment, a {@code Map} or {@code Properties}. Typed
 * getters fail with a message naming the setting and the value that was wrong.
 *
 * <p>{@link #toString()} lists the keys only, so no secret reaches a log line.
 */
public final class DriverSettings {
  private final Map<String, String> values;

  private DriverSettings(Map<String, String> values) {
    this.values = Map.copyOf(values);
  }

  public static DriverSettings of(Map<String, String> values) {
    Objects.requireNonNull(values, "values");
    Map<String, String> clean = new TreeMap<>();
    values.forEach((k, v) -> {
      if (k != null && v != null) {
        clean.put(k, v);
      }
    });
    return new DriverSettings(clean);
  }

  public static DriverSettings fromEnvironment() {
    return of(System.getenv());
  }

  /** The value, or null when unset or blank. */
  public String get(String key) {
    String value = values.get(key);
    return value == null || value.isBlank() ? null : value.trim();
  }

  public String get(String key, String fallback) {
    String value = get(key);
    return value == null ? fallback : value;
  }

  /** The value, or a {@link BroadcastException} naming the key and what it is for. */
  public String require(String key, String purpose) {
    String value = get(key);
    if (value == null) {
      throw new BroadcastException("Missing setting " + key + " (" + purpose
          + "). Set it in the environment or pass it in the broadcaster's configuration.");
    }
    return value;
  }

  public int getInt(String key, int fallback) {
    return parse(key, fallback, Integer::parseInt, "a whole number");
  }

  public long getLong(String key, long fallback) {
    return parse(key, fallback, Long::parseLong, "a whole number");
  }

  public boolean getBoolean(String key, boolean fallback) {
    return parse(key, fallback, v -> {
      switch (v.toLowerCase()) {
        case "true": case "1": case "yes": case "on": return true;
        case "false": case "0": case "no": case "off": return false;
        default: throw new IllegalArgumentException(v);
      }
    }, "true or false");
  }

  /** A duration written as {@code 500ms}, {@code 5s}, {@code 2m}, ISO-8601 ({@code PT5S}), or plain milliseconds. */
  public Duration getDuration(String key, Duration fallback) {
    return parse(key, fallback, DriverSettings::parseDuration, "a duration such as 500ms, 5s or PT5S");
  }

  private <T> T parse(String key, T fallback, Function<String, T> parser, String expected) {
    String value = get(key);
    if (value == null) {
      return fallback;
    }
    try {
      return parser.apply(value);
    } catch (RuntimeException e) {
      throw new BroadcastException("Setting " + key + " must be " + expected + " but was \"" + value + "\"");
    }
  }

  static Duration parseDuration(String value) {
    if (value.startsWith("P") || value.startsWith("p")) {
      return Duration.parse(value);
    }
    if (value.endsWith("ms")) {
      return Duration.ofMillis(Long.parseLong(value.substring(0, value.length() - 2)));
    }
    char unit = value.charAt(value.length() - 1);
    if (Character.isDigit(unit)) {
      return Duration.ofMillis(Long.parseLong(value));
    }
    long amount = Long.parseLong(value.substring(0, value.length() - 1));
    switch (unit) {
      case 's': return Duration.ofSeconds(amount);
      case 'm': return Duration.ofMinutes(amount);
      case 'h': return Duration.ofHours(amount);
      default: throw new IllegalArgumentException(value);
    }
  }

  /** The keys that are set, never their values. */
  @Override
  public String toString() {
    return "DriverSettings" + values.keySet();
  }
}
