package dev.broadcasting.resp.internal;

import java.io.IOException;

/**
 * Redis refused the connection itself: its password, its database or its certificate. Trying again
 * with the same settings will not help, unlike a connection that was cut or timed out.
 *
 * <pre>{@code
 * try {
 *   link = endpoint.open();
 * } catch (RespRefused e) {
 *   throw new IllegalStateException(e.getMessage(), e); // fix the settings
 * }
 * }</pre>
 */
public final class RespRefused extends IOException {
  private final String reply;

  public RespRefused(String message, String reply, Throwable cause) {
    super(message, cause);
    this.reply = reply;
  }

  /** Redis's error reply, such as {@code WRONGPASS invalid username-password pair}; null for a refused certificate. */
  public String reply() {
    return reply;
  }
}
