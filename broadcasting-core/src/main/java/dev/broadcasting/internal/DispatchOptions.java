package dev.broadcasting.internal;

import java.time.Duration;

/** The dispatcher's settings, checked by {@code Broadcaster.Builder}. */
public record DispatchOptions(int capacity, long maxBytes, Duration blockWhenFull, int threads,
    Duration attemptTimeout) {}
