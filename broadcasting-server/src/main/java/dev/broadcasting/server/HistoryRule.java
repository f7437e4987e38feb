package dev.broadcasting.server;

import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Which channels keep a history of their recent events, and how much: the last {@code maxEvents}
 * events, none older than {@code timeToLive}. Clients that reconnect within those bounds get the
 * events they missed replayed (see the server README, "Recovery"). Patterns are channel names in
 * which {@code *} matches any run of characters.
 *
 * <pre>{@code
 * App app = App.builder("1", "app-key", "app-secret")
 *     .history("private-chat.*", 200, Duration.ofMinutes(2))
 *     .build();
 * }</pre>
 */
public final class HistoryRule {
  private static final Pattern PATTERN_CHARS = Pattern.compile("[-a-zA-Z0-9_=@,.;*]+");

  private final String channelPattern;
  private final Pattern regex;
  private final int maxEvents;
  private final Duration timeToLive;

  HistoryRule(String channelPattern, int maxEvents, Duration timeToLive) {
    if (channelPattern == null || !PATTERN_CHARS.matcher(channelPattern).matches()) {
      throw new IllegalArgumentException("History channel pattern \"" + channelPattern + "\" is invalid: use the "
          + "characters of channel names, and * for any run of them, e.g. \"private-chat.*\"");
    }
    if (maxEvents < 1 || maxEvents > 100_000) {
      throw new IllegalArgumentException("History size of " + channelPattern + " must be between 1 and 100000 "
          + "events but was " + maxEvents);
    }
    Objects.requireNonNull(timeToLive, "timeToLive");
    if (timeToLive.isNegative() || timeToLive.isZero()) {
      throw new IllegalArgumentException("History time-to-live of " + channelPattern + " must be positive but was "
          + timeToLive);
    }
    this.channelPattern = channelPattern;
    this.regex = Pattern.compile(Pattern.quote(channelPattern).replace("*", "\\E.*\\Q"));
    this.maxEvents = maxEvents;
    this.timeToLive = timeToLive;
  }

  public String channelPattern() {
    return channelPattern;
  }

  public int maxEvents() {
    return maxEvents;
  }

  public Duration timeToLive() {
    return timeToLive;
  }

  public boolean matches(String channel) {
    return regex.matcher(channel).matches();
  }

  @Override
  public String toString() {
    return "HistoryRule{" + channelPattern + ", maxEvents=" + maxEvents + ", timeToLive=" + timeToLive + "}";
  }
}
