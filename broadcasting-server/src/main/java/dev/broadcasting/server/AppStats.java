package dev.broadcasting.server;

/**
 * What one {@link App} of a running {@link BroadcastServer} holds now and has done since the
 * start: the figures behind the dashboard and the Micrometer meters of {@code broadcasting-micrometer}.
 *
 * <pre>{@code
 * AppStats stats = server.stats("1");
 * log.info("{} connections, {} messages out", stats.connections(), stats.messagesOut());
 * }</pre>
 *
 * @param appId the app's id
 * @param connections open WebSocket connections now
 * @param channels occupied channels now
 * @param messagesIn WebSocket messages received from clients since the start
 * @param messagesOut WebSocket messages queued to clients since the start (one per subscriber an event reached)
 * @param clientEvents client events ({@code client-*}) relayed since the start
 * @param refusals subscriptions and client events refused since the start (bad signature, a limit, not allowed)
 * @param webhookBacklog webhook events waiting or being retried now, over the app's webhook URLs
 * @param webhook what the webhooks have sent and dropped
 */
public record AppStats(String appId, int connections, int channels, long messagesIn, long messagesOut,
    long clientEvents, long refusals, int webhookBacklog, WebhookStats webhook) {}
