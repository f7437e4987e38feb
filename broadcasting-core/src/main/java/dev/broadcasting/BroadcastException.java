package dev.broadcasting;

/**
 * The one exception type of this library: a broadcast that could not be made, a driver that is
 * misconfigured, or a payload that does not serialize. Its message says what was wrong and what to
 * do about it. {@link #isRetryable()} tells the dispatcher whether trying again may help.
 */
public class BroadcastException extends RuntimeException {
  private final boolean retryable;
  private final int status;

  public BroadcastException(String message) {
    this(message, null, false, 0);
  }

  public BroadcastException(String message, Throwable cause) {
    this(message, cause, false, 0);
  }

  /**
   * @param retryable whether the same request may succeed later (a timeout, a 5xx, a lost
   *     connection), as opposed to one that never will (bad credentials, a payload too large)
   * @param status the remote status code, such as an HTTP status or Ably's error code, or 0
   */
  public BroadcastException(String message, Throwable cause, boolean retryable, int status) {
    super(message, cause);
    this.retryable = retryable;
    this.status = status;
  }

  /** A failure that may go away when the same request is sent again. */
  public static BroadcastException retryable(String message, Throwable cause) {
    return new BroadcastException(message, cause, true, 0);
  }

  public boolean isRetryable() {
    return retryable;
  }

  /** The remote status code (HTTP status, or the service's own error code), or 0 when there was none. */
  public int status() {
    return status;
  }
}
