package dev.broadcasting.server.internal;

import java.time.Duration;

/** The server-wide settings the connection handlers read, as built by {@code BroadcastServer.Builder}. */
public record ServerSettings(int maxMessageSize, int maxRequestSize, Duration activityTimeout,
    Duration pongTimeout, int maxOutboundBytes) {}
