package dev.broadcasting.server;

/**
 * Connections a {@link BroadcastServer} closed before they became live Pusher connections or
 * between their HTTP requests, because they were too slow, and those refused because their
 * address already held its share of opening connections.
 *
 * <pre>{@code
 * ClosedConnections closed = server.closedConnections();
 * log.info("slow connections closed: {}", closed);
 * }</pre>
 *
 * @param firstBytes sent nothing within {@code firstBytesTimeout} of the accept
 * @param requestHeaders did not finish the request headers within {@code requestHeadersTimeout}
 * @param requestBody did not finish the request body within {@code requestBodyTimeout}
 * @param keepAliveIdle sent no new request within {@code keepAliveTimeout} of the last answer
 * @param refusedOpeningPerAddress refused at once: {@code maxOpeningConnectionsPerAddress} reached
 */
public record ClosedConnections(long firstBytes, long requestHeaders, long requestBody, long keepAliveIdle,
    long refusedOpeningPerAddress) {}
