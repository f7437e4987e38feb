package dev.broadcasting.server.internal;

import java.util.List;

/** Matches a browser's {@code Origin} header against an app's allowed origins. */
final class Origins {
  private Origins() {}

  /**
   * True when {@code allowed} is empty, or {@code origin} equals one of them, or matches one with a
   * {@code *.} wildcard for the leftmost labels ({@code https://*.example.com}).
   */
  static boolean allowed(List<String> allowed, String origin) {
    if (allowed.isEmpty()) {
      return true;
    }
    if (origin == null) {
      return false;
    }
    for (String pattern : allowed) {
      if (pattern.equals("*") || pattern.equalsIgnoreCase(origin)) {
        return true;
      }
      int star = pattern.indexOf("*.");
      if (star >= 0) {
        String prefix = pattern.substring(0, star);
        String suffix = pattern.substring(star + 1);
        if (origin.regionMatches(true, 0, prefix, 0, prefix.length())
            && origin.length() > prefix.length() + suffix.length()
            && origin.toLowerCase().endsWith(suffix.toLowerCase())) {
          return true;
        }
      }
    }
    return false;
  }
}
