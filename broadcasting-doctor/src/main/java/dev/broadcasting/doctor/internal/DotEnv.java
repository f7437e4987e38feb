package dev.broadcasting.doctor.internal;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a Laravel {@code .env} file: {@code NAME=value} lines, {@code #} comments, an optional
 * {@code export}, values in double quotes with {@code ${OTHER}} expanded (as in
 * {@code VITE_PUSHER_HOST="${PUSHER_HOST}"}), or in single quotes taken as they are.
 */
public final class DotEnv {
  private static final Pattern LINE = Pattern.compile("\\s*(?:export\\s+)?([A-Za-z_][A-Za-z0-9_.]*)\\s*=\\s*(.*?)\\s*");
  private static final Pattern REFERENCE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_.]*)}");

  private DotEnv() {}

  /**
   * The settings of {@code lines}, expanded against those read before them and then {@code outer}.
   *
   * @throws IllegalArgumentException naming the line that is not {@code NAME=value}
   */
  public static Map<String, String> parse(List<String> lines, Map<String, String> outer) {
    Map<String, String> read = new LinkedHashMap<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.isBlank() || line.strip().startsWith("#")) {
        continue;
      }
      Matcher m = LINE.matcher(line);
      if (!m.matches()) {
        throw new IllegalArgumentException("line " + (i + 1) + " is not NAME=value: " + line);
      }
      read.put(m.group(1), value(m.group(2), read, outer));
    }
    return read;
  }

  private static String value(String raw, Map<String, String> read, Map<String, String> outer) {
    if (raw.length() >= 2 && raw.startsWith("'") && raw.endsWith("'")) {
      return raw.substring(1, raw.length() - 1);
    }
    String value = raw;
    if (raw.length() >= 2 && raw.startsWith("\"") && raw.endsWith("\"")) {
      value = raw.substring(1, raw.length() - 1);
    } else {
      int comment = raw.indexOf(" #");
      value = comment >= 0 ? raw.substring(0, comment).strip() : raw;
    }
    Matcher ref = REFERENCE.matcher(value);
    StringBuilder out = new StringBuilder();
    while (ref.find()) {
      String name = ref.group(1);
      ref.appendReplacement(out, Matcher.quoteReplacement(read.getOrDefault(name, outer.getOrDefault(name, ""))));
    }
    return ref.appendTail(out).toString();
  }
}
