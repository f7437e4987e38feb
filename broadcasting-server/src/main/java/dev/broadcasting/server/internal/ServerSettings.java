package dev.broadcasting.server.internal;

import java.net.InetAddress;
import java.time.Duration;
import java.util.Set;

/**
 * The server-wide settings the connection handlers read, as built by {@code BroadcastServer.Builder}.
 * A deadline of zero is off.
 */
public record ServerSettings(int maxMessageSize, int maxRequestSize, Duration activityTimeout,
    Duration pongTimeout, int maxOutboundBytes, Duration firstBytesTimeout, Duration requestHeadersTimeout,
    Duration requestBodyTimeout, Duration keepAliveTimeout, int maxOpeningPerAddress,
    Set<InetAddress> trustedProxies) {}
