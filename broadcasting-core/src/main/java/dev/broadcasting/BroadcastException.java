package dev.broadcasting;

/**
 * The one exception type of this library: a broadcast that could not be made, a driver that is
 * misconfigured, or a payload that does not serialize. Its message says what was wrong and what to
 * do about it. {@link #isRetryable()} tells the dispatcher whether trying again may help.
 *
 * <pre>{@code
 * Broadcaster.builder().onFailure(failed -> {
 *   if (failed.cause().httpStatus() == 401) {
 *     alerts.raise("broadcasting credentials are wrong: " + failed.cause().getMessage());
 *   }
 * });
 * }</pre>
 *
 * <p>Two codes say where a failure came from, each 0 when there was none: {@link #httpStatus()},
 * the status of the HTTP answer (Pusher's 413, Ably's 400), and {@link #providerCode()}, the
 * service's own error code inside that answer (Ably's 40031).
 */
public class BroadcastException extends RuntimeException {
  private final boolean retryable;
  private final int httpStatus;
  private final int providerCode;

  public BroadcastException(String message) {
    this(message, null, false, 0, 0);
  }

  public BroadcastException(String message, Throwable cause) {
    this(message, cause, false, 0, 0);
  }

  /**
   * A failure with the HTTP status of the answer that reported it.
   *
   * @param retryable whether the same request may succeed later (a timeout, a 5xx, a lost
   *     connection), as opposed to one that never will (bad credentials, a payload too large)
   * @param httpStatus the HTTP status of the answer, or 0 when there was no HTTP answer
   */
  public BroadcastException(String message, Throwable cause, boolean retryable, int httpStatus) {
    this(message, cause, retryable, httpStatus, 0);
  }

  /**
   * A failure with both the HTTP status and the provider's own error code.
   *
   * @param httpStatus the HTTP status of the answer, or 0 when there was no HTTP answer
   * @param providerCode the service's error code, such as Ably's {@code 40031}, or 0 when it gave none
   */
  public BroadcastException(String message, Throwable cause, boolean retryable, int httpStatus, int providerCode) {
    super(message, cause);
    this.retryable = retryable;
    this.httpStatus = httpStatus;
    this.providerCode = providerCode;
  }

  /** A failure that may go away when the same request is sent again. */
  public static BroadcastException retryable(String message, Throwable cause) {
    return new BroadcastException(message, cause, true, 0, 0);
  }

  public boolean isRetryable() {
    return retryable;
  }

  /** The HTTP status of the answer that reported the failure, such as 401 or 503; 0 when there was none. */
  public int httpStatus() {
    return httpStatus;
  }

  /** The provider's own error code, such as Ably's {@code 40031}; 0 when it gave none or has none. */
  public int providerCode() {
    return providerCode;
  }

  /**
   * The provider's error code when it gave one, else the HTTP status, else 0.
   *
   * @deprecated ambiguous: use {@link #httpStatus()} or {@link #providerCode()}
   */
  @Deprecated
  public int status() {
    return providerCode != 0 ? providerCode : httpStatus;
  }
}
