package dev.broadcasting.internal;

import dev.broadcasting.BroadcastListener;
import dev.broadcasting.FailedBroadcast;
import dev.broadcasting.Scheduler;
import dev.broadcasting.Ticker;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * The dispatcher's settings, checked by {@code Broadcaster.Builder}.
 *
 * @param scheduler null: the dispatcher makes its own daemon thread and stops it on close
 * @param callbackExecutor null: callbacks run on the dispatcher's threads
 * @param ordered false: no per-channel order, every event may go at once
 */
public record DispatchOptions(int capacity, long maxBytes, Duration blockWhenFull, int threads,
    Duration attemptTimeout, Ticker ticker, Scheduler scheduler, Executor callbackExecutor,
    List<BroadcastListener> listeners, Consumer<FailedBroadcast> onFailure, boolean ordered) {}
