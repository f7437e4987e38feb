package dev.broadcasting.server.internal;

/** The cluster's shared state could not be reached: the HTTP API answers 503, the driver fails the publish. */
final class ClusterUnavailableException extends RuntimeException {
  ClusterUnavailableException(String message) {
    super(message);
  }

  ClusterUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
