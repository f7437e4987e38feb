package dev.broadcasting.resp.internal;

/**
 * An error reply, such as {@code NOSCRIPT ...} or {@code LOADING ...}: the command failed, the
 * connection is still good.
 *
 * <pre>{@code
 * if (link.call("PING") instanceof RespError error) {
 *   throw new IOException(error.message());
 * }
 * }</pre>
 */
public record RespError(String message) {}
