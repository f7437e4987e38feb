package dev.broadcasting.doctor.internal;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.net.http.HttpTimeoutException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;

/** Says in a few words why a network call failed, the same way for every check. */
public final class Failures {
  private Failures() {}

  /** What was seen: "connection refused", "no answer within 2s", "unknown host x", ... */
  public static String describe(Throwable failure, Endpoint endpoint, long timeoutMillis) {
    Throwable cause = unwrap(failure);
    if (cause instanceof ConnectException) {
      return "connection refused at " + endpoint.address() + ": nothing listens on that port";
    }
    if (cause instanceof SocketTimeoutException || cause instanceof HttpTimeoutException
        || cause instanceof TimeoutException) {
      return "no answer from " + endpoint.address() + " within " + timeoutMillis + " ms";
    }
    if (cause instanceof UnknownHostException) {
      return "unknown host " + endpoint.host() + ": the name does not resolve";
    }
    if (cause instanceof NoRouteToHostException) {
      return "no route to " + endpoint.address() + ": a firewall rejects the connection or the host is down";
    }
    if (cause instanceof SSLException) {
      return "TLS failed with " + endpoint.address() + ": " + cause.getMessage();
    }
    return cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
  }

  /** The fix for a failure {@link #describe} reported at {@code endpoint}. */
  public static String fix(Throwable failure, Endpoint endpoint) {
    Throwable cause = unwrap(failure);
    if (cause instanceof UnknownHostException) {
      return "correct the host in " + endpoint.setting();
    }
    if (cause instanceof SocketTimeoutException || cause instanceof HttpTimeoutException
        || cause instanceof TimeoutException || cause instanceof NoRouteToHostException) {
      return "open port " + endpoint.port() + " in the firewall between here and " + endpoint.host()
          + ", or correct " + endpoint.setting();
    }
    return "start the " + endpoint.role() + " on " + endpoint.address() + ", or correct " + endpoint.setting();
  }

  /** The first cause in the chain that says what happened on the network, else the outermost real one. */
  public static Throwable unwrap(Throwable failure) {
    Throwable outer = failure;
    while ((outer instanceof CompletionException || outer instanceof ExecutionException) && outer.getCause() != null) {
      outer = outer.getCause();
    }
    for (Throwable cause = outer; cause != null; cause = cause.getCause()) {
      if (cause instanceof ConnectException || cause instanceof SocketTimeoutException
          || cause instanceof HttpTimeoutException || cause instanceof UnknownHostException
          || cause instanceof NoRouteToHostException || cause instanceof SSLException) {
        return cause;
      }
    }
    return outer;
  }
}
