package dev.broadcasting.server;

/**
 * What the webhooks of one {@link App} have done so far, summed over its webhook URLs.
 *
 * <pre>{@code
 * WebhookStats stats = server.webhookStats("1");
 * if (stats.droppedEvents() > 0) alert("webhook receiver lost events");
 * }</pre>
 *
 * @param sentEvents events the receiver accepted (answered 2xx)
 * @param droppedEvents events given up: retried for {@code webhookRetryFor}, or over {@code webhookBacklogBytes}
 * @param openConnections connections open to the receivers now, at most {@code webhookConcurrency} per URL
 */
public record WebhookStats(long sentEvents, long droppedEvents, int openConnections) {}
