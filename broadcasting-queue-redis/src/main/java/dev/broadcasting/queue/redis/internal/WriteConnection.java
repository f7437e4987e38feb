package dev.broadcasting.queue.redis.internal;

import dev.broadcasting.resp.internal.RespEndpoint;
import dev.broadcasting.resp.internal.RespError;
import dev.broadcasting.resp.internal.RespLink;
import dev.broadcasting.resp.internal.RespRefused;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SslOptions;
import java.io.IOException;
import java.time.Duration;

/**
 * The writer's own connection to Redis: a blocking socket on which the producer thread that leads
 * a group commit sends the call and reads the answer itself. Through lettuce, the same call went
 * to its event loop and its answer came back through it: two thread hops per call, which cost the
 * JVM more than everything else a durable write does (see the module's README). Connects as the
 * queue's URI says ({@link RespEndpoint}: password, user, database, TLS as lettuce does it, a Unix
 * socket, or the master a Sentinel names), again after any failure.
 *
 * <pre>{@code
 * WriteConnection connection = new WriteConnection(RedisURI.create("redis://127.0.0.1:6379"), SslOptions.create(),
 *     Duration.ofSeconds(5));
 * Object answer = connection.call("EVALSHA", sha, "1", "stream", "arg");
 * }</pre>
 */
public final class WriteConnection implements AutoCloseable {
  /** An error answer, such as {@code NOSCRIPT ...} or {@code LOADING ...}: the connection is still good. */
  public record ErrorReply(String message) {}

  /** Redis refused the connection's password or database: trying again will not help. */
  public static final class Refused extends IOException {
    Refused(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private final RespEndpoint endpoint;
  /** Null when not connected; set and used by one leading thread at a time, closed by any. */
  private volatile RespLink link;
  private volatile boolean closed;

  /**
   * A connection to {@code uri}; over TLS ({@code rediss://}) with the trust material of
   * {@code ssl}, the options the queue gives lettuce, checked as lettuce checks them for the URI's
   * {@code verifyPeer}: NONE trusts any certificate, CA checks the chain but not the host name, FULL
   * both.
   */
  public WriteConnection(RedisURI uri, SslOptions ssl, Duration timeout) {
    this.endpoint = new RespEndpoint(uri, ssl, timeout);
  }

  /**
   * Sends one command and reads its answer: a {@code Long}, a {@code String}, a {@code List}, null,
   * or an {@link ErrorReply}. Connects first when there is no connection; a failure to connect,
   * write or read within the timeout closes it and is thrown.
   */
  public Object call(String... args) throws IOException {
    RespLink current = link;
    try {
      if (current == null) {
        current = open();
      }
      Object answer = current.call(args);
      return answer instanceof RespError error ? new ErrorReply(error.message()) : answer;
    } catch (RespRefused e) {
      disconnect();
      throw new Refused(e.getMessage(), e);
    } catch (IOException | RuntimeException e) {
      disconnect();
      throw e instanceof IOException io ? io : new IOException(e.getMessage(), e);
    }
  }

  private RespLink open() throws IOException {
    if (closed) {
      throw new IOException("the durable queue is closed");
    }
    RespLink opened = endpoint.open();
    link = opened;
    if (closed) {
      disconnect();
      throw new IOException("the durable queue is closed");
    }
    return opened;
  }

  /** Closes this connection; the next call opens a new one. */
  public void disconnect() {
    RespLink open = link;
    link = null;
    if (open != null) {
      open.close();
    }
  }

  /** Closes the connection for good: a call after it fails. */
  @Override
  public void close() {
    closed = true;
    disconnect();
  }
}
