package dev.broadcasting.redis.internal;

import dev.broadcasting.BroadcastException;
import dev.broadcasting.resp.internal.RespRefused;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisException;
import java.io.IOException;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * Turns what lettuce reports into a {@link BroadcastException} that says which Redis failed and
 * whether trying again may help: lost connections, timeouts and a server that is loading or
 * failing over are retryable; refused credentials, missing permissions and unknown commands are
 * not, since the same command will be refused again.
 */
public final class RedisFailures {
  private final String address;
  private final Duration timeout;

  public RedisFailures(String address, Duration timeout) {
    this.address = address;
    this.timeout = timeout;
  }

  public BroadcastException map(Throwable error) {
    Throwable e = unwrap(error);
    if (e instanceof BroadcastException) {
      return (BroadcastException) e;
    }
    if (e instanceof TimeoutException || e instanceof RedisCommandTimeoutException) {
      return BroadcastException.retryable("No answer from Redis at " + address + " within " + timeout
          + "; the command was cancelled. Raise the command timeout if the server is slow", e);
    }
    if (e instanceof RedisConnectionException) {
      // the handshake's own answer (WRONGPASS, NOPERM) says more than "unable to connect"
      for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
        if (cause instanceof RedisCommandExecutionException) {
          return refused(cause);
        }
      }
      return BroadcastException.retryable("Cannot connect to Redis at " + address + ": " + e.getMessage(), e);
    }
    if (e instanceof RedisCommandExecutionException) {
      return refused(e);
    }
    if (e instanceof RespRefused refusal) {
      // the publish socket's handshake: Redis's own reply (WRONGPASS, NOAUTH) maps as lettuce's would
      return refusal.reply() != null ? refused(new RedisCommandExecutionException(refusal.reply()))
          : new BroadcastException("Cannot connect to Redis at " + address + ": " + e.getMessage(), e, false, 0);
    }
    if (e instanceof RedisException || e instanceof IOException) {
      // lettuce rejects commands while it reconnects ("Currently not connected"); it will be back
      return BroadcastException.retryable("Redis at " + address + " is unreachable: " + e.getMessage(), e);
    }
    return new BroadcastException("Publishing to Redis at " + address + " failed: " + e, e);
  }

  private BroadcastException refused(Throwable e) {
    String reply = String.valueOf(e.getMessage()).replaceAll("[.\\s]+$", "");
    String code = reply.split(" ", 2)[0];
    switch (code) {
      case "LOADING": case "BUSY": case "TRYAGAIN": case "CLUSTERDOWN": case "MASTERDOWN": case "READONLY":
        return new BroadcastException("Redis at " + address + " cannot take the command now: " + reply, e, true, 0);
      case "NOAUTH":
        // the reply to lettuce's HELLO explains HELLO AUTH, which is no help to the reader
        return authenticationFailed("requires a password and none was given", code, e);
      case "WRONGPASS":
        return authenticationFailed("refused the password", reply, e);
      case "NOPERM":
        return new BroadcastException("Redis at " + address + " refused the command: " + reply
            + ". Grant the user +publish, +spublish or +eval on the channels", e, false, 0);
      default:
        break;
    }
    if (reply.toLowerCase(Locale.ROOT).contains("unknown command") && reply.toLowerCase(Locale.ROOT).contains("spublish")) {
      return new BroadcastException("Redis at " + address + " does not know SPUBLISH: sharded publishing needs "
          + "Redis 7.0 or later. Upgrade Redis or turn sharded publishing off", e, false, 0);
    }
    return new BroadcastException("Redis at " + address + " refused the command: " + reply, e, false, 0);
  }

  private BroadcastException authenticationFailed(String what, String reply, Throwable e) {
    return new BroadcastException("Redis at " + address + " " + what + ": authentication failed (" + reply
        + "). Set REDIS_PASSWORD (and REDIS_USERNAME for an ACL user), or the password in REDIS_URL or the "
        + "builder's uri(\"redis://[user]:password@host:port\"), to the server's password", e, false, 0);
  }

  private static Throwable unwrap(Throwable error) {
    Throwable e = error;
    while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
      e = e.getCause();
    }
    return e;
  }
}
