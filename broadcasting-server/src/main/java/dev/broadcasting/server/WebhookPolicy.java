package dev.broadcasting.server;

import java.time.Duration;

/**
 * How an {@link App}'s webhooks travel, as set with {@code App.Builder.webhookBatch},
 * {@code webhookConcurrency}, {@code webhookRetryFor} and {@code webhookBacklogBytes}.
 *
 * <pre>{@code
 * WebhookPolicy policy = app.webhookPolicy();   // 20 events or 250 ms, 2 in flight, 5 minutes, 1 MiB
 * }</pre>
 *
 * @param batchEvents the most events in one request
 * @param batchWindow how long the first event of a batch waits for others
 * @param concurrency requests in flight, and connections kept, per webhook URL
 * @param retryFor how long a failed request is retried
 * @param backlogBytes the bytes of events that may wait per webhook URL before the oldest are dropped
 */
public record WebhookPolicy(int batchEvents, Duration batchWindow, int concurrency, Duration retryFor,
    int backlogBytes) {}
