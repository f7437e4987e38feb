package dev.broadcasting.server.internal;

import java.util.regex.Pattern;

/** What a channel name says about the channel: who may subscribe, and whether its last event is kept. */
enum ChannelKind {
  PUBLIC, PRIVATE, ENCRYPTED, PRESENCE, SERVER_TO_USER;

  static final String SERVER_TO_USER_PREFIX = "#server-to-user-";
  static final int MAX_NAME_LENGTH = 200;
  private static final Pattern VALID = Pattern.compile("[-a-zA-Z0-9_=@,.;]+");

  static ChannelKind of(String name) {
    if (name.startsWith("private-encrypted-")) {
      return ENCRYPTED;
    }
    if (name.startsWith("private-")) {
      return PRIVATE;
    }
    if (name.startsWith("presence-")) {
      return PRESENCE;
    }
    if (name.startsWith(SERVER_TO_USER_PREFIX)) {
      return SERVER_TO_USER;
    }
    return PUBLIC;
  }

  /** Null when the name is valid, else why not. */
  static String invalidReason(String name) {
    if (name == null || name.isEmpty()) {
      return "channel name is missing";
    }
    if (name.length() > MAX_NAME_LENGTH) {
      return "channel name is longer than " + MAX_NAME_LENGTH + " characters";
    }
    String rest = name.startsWith(SERVER_TO_USER_PREFIX) ? name.substring(SERVER_TO_USER_PREFIX.length()) : name;
    if (rest.isEmpty() || !VALID.matcher(rest).matches()) {
      return "channel name \"" + name + "\" has characters outside [-a-zA-Z0-9_=@,.;]";
    }
    return null;
  }

  /** Cache channels keep their last event for new subscribers: {@code cache-}, {@code private-cache-}, ... */
  static boolean isCache(String name) {
    return name.startsWith("cache-") || name.startsWith("private-cache-") || name.startsWith("presence-cache-")
        || name.startsWith("private-encrypted-cache-");
  }

  boolean guarded() {
    return this == PRIVATE || this == ENCRYPTED || this == PRESENCE;
  }
}
