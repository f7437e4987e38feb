package dev.broadcasting.doctor.internal;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.net.http.WebSocketHandshakeException;
import java.nio.channels.UnresolvedAddressException;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;

/** Says in a few words why a network call failed, and what to do, the same way for every check. */
public final class Failures {
  /** The causes that say what happened on the network, most specific first. */
  private static final List<Class<? extends Throwable>> TELLING = List.of(UnresolvedAddressException.class,
      UnknownHostException.class, HttpConnectTimeoutException.class, SocketTimeoutException.class,
      ConnectException.class, NoRouteToHostException.class, HttpTimeoutException.class, SSLException.class,
      WebSocketHandshakeException.class);

  private Failures() {}

  /** What was seen: "connection refused at ...", "no answer from ... within 2000 ms", "unknown host x", ... */
  public static String describe(Throwable failure, Endpoint endpoint, long timeoutMillis) {
    Throwable cause = unwrap(failure);
    if (cause instanceof UnknownHostException || cause instanceof UnresolvedAddressException) {
      return "unknown host " + endpoint.host() + ": the name does not resolve";
    }
    if (isConnectTimeout(cause)) {
      return "no answer from " + endpoint.address() + " within " + timeoutMillis + " ms";
    }
    if (cause instanceof ConnectException) {
      return "connection refused at " + endpoint.address() + ": nothing listens on that port";
    }
    if (cause instanceof NoRouteToHostException) {
      return "no route to " + endpoint.address() + ": a firewall rejects the connection or the host is down";
    }
    if (isTimeout(cause)) {
      return "connected to " + endpoint.address() + ", but no answer within " + timeoutMillis + " ms";
    }
    if (cause instanceof SSLException) {
      return "TLS failed with " + endpoint.address() + ": " + cause.getMessage();
    }
    if (cause instanceof WebSocketHandshakeException) {
      return "HTTP " + ((WebSocketHandshakeException) cause).getResponse().statusCode()
          + " instead of a WebSocket upgrade at " + endpoint.address();
    }
    return cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName();
  }

  /** The fix for a failure {@link #describe} reported at {@code endpoint}. */
  public static String fix(Throwable failure, Endpoint endpoint) {
    Throwable cause = unwrap(failure);
    if (cause instanceof UnknownHostException || cause instanceof UnresolvedAddressException) {
      return "correct the host in " + endpoint.setting();
    }
    if (isConnectTimeout(cause) || cause instanceof NoRouteToHostException) {
      return "open port " + endpoint.port() + " in the firewall between here and " + endpoint.host()
          + ", or correct " + endpoint.setting();
    }
    if (isTimeout(cause)) {
      return "something accepts connections on " + endpoint.address() + " but does not answer: check that it is the "
          + endpoint.role() + " and that it is not stuck or overloaded, or correct " + endpoint.setting();
    }
    return "start the " + endpoint.role() + " on " + endpoint.address() + ", or correct " + endpoint.setting();
  }

  /** The first cause in the chain that says what happened on the network, else the outermost real one. */
  public static Throwable unwrap(Throwable failure) {
    Throwable outer = failure;
    while ((outer instanceof CompletionException || outer instanceof ExecutionException) && outer.getCause() != null) {
      outer = outer.getCause();
    }
    for (Class<? extends Throwable> telling : TELLING) {
      for (Throwable cause = outer; cause != null; cause = cause.getCause()) {
        if (telling.isInstance(cause)) {
          return cause;
        }
      }
    }
    return outer;
  }

  /** The connection itself was not made in time: packets dropped on the way, as a firewall does. */
  private static boolean isConnectTimeout(Throwable cause) {
    String message = String.valueOf(cause.getMessage()).toLowerCase(java.util.Locale.ROOT);
    return cause instanceof HttpConnectTimeoutException
        || cause instanceof SocketTimeoutException && message.contains("connect")
        || cause instanceof ConnectException && message.contains("timed out");
  }

  private static boolean isTimeout(Throwable cause) {
    return cause instanceof SocketTimeoutException || cause instanceof HttpTimeoutException
        || cause instanceof TimeoutException;
  }
}
