package dev.broadcasting.server.internal;

import dev.broadcasting.EncryptedPrivateChannel;
import dev.broadcasting.PresenceChannel;
import dev.broadcasting.PrivateChannel;
import dev.broadcasting.pusher.protocol.PusherChannelNames;
import dev.broadcasting.spi.ChannelNames;

/**
 * What a channel name says about the channel: who may subscribe, and whether its last event is
 * kept. The prefixes and rules are core's ({@link ChannelNames}) and Pusher's ({@link PusherChannelNames}).
 */
enum ChannelKind {
  PUBLIC, PRIVATE, ENCRYPTED, PRESENCE, SERVER_TO_USER;

  static final String SERVER_TO_USER_PREFIX = PusherChannelNames.SERVER_TO_USER_PREFIX;

  static ChannelKind of(String name) {
    return switch (ChannelNames.guardedPrefix(name)) {
      case EncryptedPrivateChannel.PREFIX -> ENCRYPTED;
      case PrivateChannel.PREFIX -> PRIVATE;
      case PresenceChannel.PREFIX -> PRESENCE;
      default -> name.startsWith(SERVER_TO_USER_PREFIX) ? SERVER_TO_USER : PUBLIC;
    };
  }

  /** Null when Pusher accepts the name, else why not, naming it. */
  static String invalidReason(String name) {
    String error = PusherChannelNames.error(name);
    if (error == null) {
      return null;
    }
    return name == null || name.isEmpty() ? "channel name " + error : "channel name \"" + name + "\" " + error;
  }

  /** Cache channels keep their last event for new subscribers: {@code cache-}, {@code private-cache-}, ... */
  static boolean isCache(String name) {
    return PusherChannelNames.isCache(name);
  }

  boolean guarded() {
    return this == PRIVATE || this == ENCRYPTED || this == PRESENCE;
  }
}
