package dev.broadcasting.internal;

import dev.broadcasting.spi.ChannelNames;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A channel pattern such as {@code orders.{orderId}.items}: literal text, and parameters that each
 * match one or more characters other than {@code .}. It matches the whole name or nothing, so
 * {@code orders.{id}} never matches {@code orders.5.secret}.
 */
public final class ChannelPattern {
  private static final Pattern PARAMETER = Pattern.compile("\\{([A-Za-z_][A-Za-z0-9_]*)\\}");

  private final String source;
  private final Pattern regex;
  private final List<String> names;

  private ChannelPattern(String source, Pattern regex, List<String> names) {
    this.source = source;
    this.regex = regex;
    this.names = names;
  }

  /** @throws IllegalArgumentException naming what is wrong with the pattern */
  public static ChannelPattern compile(String pattern) {
    if (pattern == null || pattern.isEmpty()) {
      throw new IllegalArgumentException("channel pattern must not be empty");
    }
    String prefix = ChannelNames.guardedPrefix(pattern);
    if (!prefix.isEmpty()) {
      throw new IllegalArgumentException("channel pattern '" + pattern + "' starts with '" + prefix
          + "': register it without the prefix, as '" + pattern.substring(prefix.length())
          + "'; the prefix is removed from channel names before matching");
    }
    StringBuilder regex = new StringBuilder();
    List<String> names = new ArrayList<>();
    Matcher matcher = PARAMETER.matcher(pattern);
    int literalStart = 0;
    while (matcher.find()) {
      regex.append(literal(pattern, pattern.substring(literalStart, matcher.start())));
      String name = matcher.group(1);
      if (names.contains(name)) {
        throw new IllegalArgumentException("channel pattern '" + pattern + "' uses {" + name + "} twice");
      }
      names.add(name);
      regex.append("([^.]+)");
      literalStart = matcher.end();
    }
    regex.append(literal(pattern, pattern.substring(literalStart)));
    return new ChannelPattern(pattern, Pattern.compile(regex.toString()), List.copyOf(names));
  }

  private static String literal(String pattern, String text) {
    if (text.indexOf('{') >= 0 || text.indexOf('}') >= 0) {
      throw new IllegalArgumentException("channel pattern '" + pattern + "' has a brace that is not a parameter: "
          + "parameters are written {name}, with a letter or _ first, then letters, digits or _");
    }
    return text.isEmpty() ? "" : Pattern.quote(text);
  }

  /** The parameters by name when the whole of {@code name} (already normalized) matches, else null. */
  public Map<String, String> match(String name) {
    Matcher matcher = regex.matcher(name);
    if (!matcher.matches()) {
      return null;
    }
    Map<String, String> values = new LinkedHashMap<>();
    for (int i = 0; i < names.size(); i++) {
      values.put(names.get(i), matcher.group(i + 1));
    }
    return values;
  }

  @Override
  public String toString() {
    return source;
  }
}
