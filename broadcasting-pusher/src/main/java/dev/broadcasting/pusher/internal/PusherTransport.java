package dev.broadcasting.pusher.internal;

import java.util.concurrent.CompletableFuture;

/**
 * Carries the driver's signed requests to the Pusher HTTP API and brings back the answers: Netty
 * by default ({@link NettyTransport}), OkHttp when the application passes its own client
 * ({@link OkHttpTransport}). Signing, bodies and the meaning of a status stay in {@link PusherHttp}.
 * {@code transport.send("POST", "/apps/1/events?auth_key=...", body).thenApply(Answer::status)}
 *
 * <p>A transport completes the future with any HTTP answer, 4xx and 5xx included, and fails it
 * only when no answer came (connect, timeout, a connection cut): with a retryable
 * {@code BroadcastException} or an exception whose message says what happened. A cancel of the
 * returned future stops the request and closes its connection if it was written.
 */
public interface PusherTransport extends AutoCloseable {

  /**
   * @param target the path and the escaped query, e.g. {@code /apps/1/events?auth_key=k&...}
   * @param body null for a {@code GET}; else sent as {@code application/json}
   */
  CompletableFuture<Answer> send(String method, String target, byte[] body);

  /** Fails what is open and releases what the transport owns; idempotent. */
  @Override
  void close();

  /** An HTTP answer: its status and its body, decoded as UTF-8 (JSON is UTF-8, RFC 8259). */
  record Answer(int status, String body) {}
}
