package dev.broadcasting.doctor.internal;

import java.time.Duration;

/** Where the end-to-end probe is expected back: the page's WebSocket, or a Redis SUBSCRIBE. */
public interface ProbeSubscription extends AutoCloseable {

  /** What the probe listens on, for the finding. */
  String describe();

  /** Where the subscription connects, to describe why it could not. */
  Endpoint endpoint();

  /** Subscribes to {@code channel}; throws when the subscription cannot be made. */
  void subscribe(String channel, Duration timeout) throws Exception;

  /** Whether the probe carrying {@code nonce} arrived within {@code timeout}. */
  boolean received(String nonce, Duration timeout) throws Exception;

  @Override
  void close();
}
