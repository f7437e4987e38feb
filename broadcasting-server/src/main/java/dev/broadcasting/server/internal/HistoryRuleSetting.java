package dev.broadcasting.server.internal;

import dev.broadcasting.BroadcastException;
import dev.broadcasting.server.App;
import dev.broadcasting.spi.DriverSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One history rule as a setting wrote it, before {@link App.Builder#history} checks it: a part of
 * the text {@code pattern:max-events:ttl, ...} of {@code --history}, or the three values of a JSON
 * object or of Spring properties. {@code where} names the rule in errors as the user wrote it.
 *
 * <pre>{@code
 * for (HistoryRuleSetting rule : HistoryRuleSetting.parse("--history", "presence-chat:100:2m, private-user.*:100:2m")) {
 *   rule.addTo(app);
 * }
 * }</pre>
 */
public record HistoryRuleSetting(String where, String channels, String maxEvents, String ttl) {
  private static final String EXAMPLE = "e.g. \"presence-chat:100:2m\" keeps the last 100 events of presence-chat "
      + "for 2 minutes";

  /**
   * The rules of {@code list}, in order: {@code pattern:max-events:ttl} separated by commas. A
   * comma with no {@code ':'} before the next one is part of a channel pattern, since Pusher's
   * channel names may hold commas but never colons. A blank list has no rules.
   */
  public static List<HistoryRuleSetting> parse(String name, String list) {
    List<HistoryRuleSetting> rules = new ArrayList<>();
    StringBuilder rule = new StringBuilder();
    for (String piece : list.split(",", -1)) {
      rule.append(rule.length() == 0 ? "" : ",").append(piece);
      if (piece.indexOf(':') >= 0) {
        rules.add(parseOne(name + " rule " + (rules.size() + 1), rule.toString().strip()));
        rule.setLength(0);
      }
    }
    if (!rule.toString().isBlank()) {
      rules.add(parseOne(name + " rule " + (rules.size() + 1), rule.toString().strip()));
    }
    return rules;
  }

  private static HistoryRuleSetting parseOne(String where, String text) {
    String named = where + " \"" + text + "\"";
    String[] fields = text.split(":", -1);
    if (fields.length != 3) {
      throw new BroadcastException("Setting " + named + " must be channel-pattern:max-events:ttl, " + EXAMPLE);
    }
    return new HistoryRuleSetting(named, fields[0], fields[1], fields[2]);
  }

  /** Adds the rule to {@code app}; a missing or wrong value fails naming {@link #where}. */
  public void addTo(App.Builder app) {
    if (isBlank(channels) || isBlank(maxEvents) || isBlank(ttl)) {
      throw new BroadcastException("Setting " + where + " needs channels, max-events and ttl, " + EXAMPLE);
    }
    DriverSettings values = DriverSettings.of(Map.of("max-events", maxEvents, "ttl", ttl));
    int max;
    Duration timeToLive;
    try {
      max = values.getInt("max-events", 0);
      timeToLive = values.getDuration("ttl", null);
    } catch (BroadcastException e) {
      // "Setting max-events must be a whole number but was ..." names the part; put the rule before it
      throw new BroadcastException("Setting " + where + ": " + e.getMessage().replaceFirst("^Setting ", ""), e);
    }
    try {
      app.history(channels.strip(), max, timeToLive);
    } catch (IllegalArgumentException e) {
      throw new BroadcastException("Setting " + where + ": " + e.getMessage(), e);
    }
  }

  private static boolean isBlank(String value) {
    return value == null || value.isBlank();
  }
}
