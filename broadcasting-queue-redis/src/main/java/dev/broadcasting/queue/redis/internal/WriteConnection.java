package dev.broadcasting.queue.redis.internal;

import io.lettuce.core.RedisCredentials;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SslOptions;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The writer's own connection to Redis: a blocking socket on which the producer thread that leads
 * a group commit sends the call and reads the answer itself. Through lettuce, the same call went
 * to its event loop and its answer came back through it: two thread hops per call, which cost the
 * JVM more than everything else a durable write does (see the module's README). Speaks RESP2 for
 * the few commands the writer needs; connects as the queue's URI says (password, user, database,
 * TLS as lettuce does it, a Unix socket, or the master a Sentinel names), again after any failure.
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
    Refused(String message) {
      super(message);
    }

    Refused(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private final RedisURI uri;
  private final int timeoutMillis;
  private final SslOptions ssl;
  /** Null for a connection in clear. */
  private final TlsSockets tls;
  /** Null when not connected; set and used by one leading thread at a time, closed by any. */
  private volatile AutoCloseable link;
  private volatile boolean closed;
  private OutputStream out;
  private InputStream in;
  private final ByteArrayOutputStream request = new ByteArrayOutputStream(4096);

  /**
   * A connection to {@code uri}; over TLS ({@code rediss://}) with the trust material of
   * {@code ssl}, the options the queue gives lettuce, checked as lettuce checks them for the URI's
   * {@code verifyPeer}: NONE trusts any certificate, CA checks the chain but not the host name, FULL
   * both.
   */
  public WriteConnection(RedisURI uri, SslOptions ssl, Duration timeout) {
    this.uri = uri;
    this.ssl = ssl;
    this.timeoutMillis = (int) Math.min(Integer.MAX_VALUE, Math.max(1, timeout.toMillis()));
    this.tls = uri.isSsl() ? TlsSockets.of(ssl, uri.getVerifyMode()) : null;
  }

  /**
   * Sends one command and reads its answer: a {@code Long}, a {@code String}, a {@code List}, null,
   * or an {@link ErrorReply}. Connects first when there is no connection; a failure to connect,
   * write or read within the timeout closes it and is thrown.
   */
  public Object call(String... args) throws IOException {
    if (link == null) {
      open();
    }
    try {
      request.reset();
      header('*', args.length);
      for (String arg : args) {
        byte[] bytes = arg.getBytes(StandardCharsets.UTF_8);
        header('$', bytes.length);
        request.writeBytes(bytes);
        request.write('\r');
        request.write('\n');
      }
      request.writeTo(out);
      out.flush();
      return reply();
    } catch (IOException | RuntimeException e) {
      disconnect();
      throw e instanceof IOException io ? io : new IOException(e.getMessage(), e);
    }
  }

  private void open() throws IOException {
    if (closed) {
      throw new IOException("the durable queue is closed");
    }
    try {
      if (uri.getSocket() != null) {
        UnixSocketStreams streams = UnixSocketStreams.connect(Path.of(uri.getSocket()), timeoutMillis);
        link = streams;
        out = streams.output();
        in = new BufferedInputStream(streams.input(), 8192);
      } else {
        Socket socket = tcp(address());
        out = socket.getOutputStream();
        in = new BufferedInputStream(socket.getInputStream(), 8192);
      }
      RedisCredentials credentials = uri.getCredentialsProvider() == null ? null
          : uri.getCredentialsProvider().resolveCredentials().block(Duration.ofMillis(timeoutMillis));
      if (credentials != null && credentials.hasPassword()) {
        String password = new String(credentials.getPassword());
        expectOk(credentials.hasUsername() ? call("AUTH", credentials.getUsername(), password)
            : call("AUTH", password), "AUTH");
      }
      if (uri.getDatabase() != 0) {
        expectOk(call("SELECT", Integer.toString(uri.getDatabase())), "SELECT " + uri.getDatabase());
      }
    } catch (IOException | RuntimeException e) {
      disconnect();
      throw e instanceof IOException io ? io : new IOException(e.getMessage(), e);
    }
  }

  /** A TCP connection to {@code address}, through TLS when the URI says so; it is {@link #link} once made. */
  private Socket tcp(InetSocketAddress address) throws IOException {
    Socket plain = new Socket();
    link = plain;
    plain.connect(address, timeoutMillis);
    plain.setTcpNoDelay(true);
    plain.setSoTimeout(timeoutMillis);
    if (tls == null) {
      return plain;
    }
    Socket secured = tls.handshake(plain, address.getHostString(), address.getPort());
    link = secured;
    return secured;
  }

  /** The server itself, or the master the first Sentinel that answers names. */
  private InetSocketAddress address() throws IOException {
    if (uri.getSentinels().isEmpty()) {
      return new InetSocketAddress(uri.getHost(), uri.getPort());
    }
    IOException last = null;
    for (RedisURI sentinel : uri.getSentinels()) {
      try (WriteConnection asking = new WriteConnection(sentinel, ssl, Duration.ofMillis(timeoutMillis))) {
        if (asking.call("SENTINEL", "get-master-addr-by-name", uri.getSentinelMasterId()) instanceof List<?> master
            && master.size() == 2) {
          return new InetSocketAddress((String) master.get(0), Integer.parseInt((String) master.get(1)));
        }
      } catch (IOException e) {
        last = e;
      }
    }
    throw new IOException("no Sentinel of " + uri.getSentinels().size() + " named the master '"
        + uri.getSentinelMasterId() + "'" + (last == null ? "" : " (" + last.getMessage() + ")"), last);
  }

  private static void expectOk(Object answer, String command) throws IOException {
    if (answer instanceof ErrorReply error) {
      throw new Refused("Redis refused " + command + ": " + error.message());
    }
  }

  private void header(char type, int count) {
    request.write(type);
    request.writeBytes(Integer.toString(count).getBytes(StandardCharsets.US_ASCII));
    request.write('\r');
    request.write('\n');
  }

  private Object reply() throws IOException {
    int type = in.read();
    switch (type) {
      case '+':
        return line();
      case '-':
        return new ErrorReply(line());
      case ':':
        return Long.parseLong(line());
      case '$': {
        int length = Integer.parseInt(line());
        if (length < 0) {
          return null;
        }
        byte[] bytes = in.readNBytes(length + 2);
        if (bytes.length < length + 2) {
          throw new EOFException("Redis closed the connection in the middle of an answer");
        }
        return new String(bytes, 0, length, StandardCharsets.UTF_8);
      }
      case '*': {
        int count = Integer.parseInt(line());
        if (count < 0) {
          return null;
        }
        List<Object> items = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
          items.add(reply());
        }
        return items;
      }
      case -1:
        throw new EOFException("Redis closed the connection");
      default:
        throw new IOException("Redis answered something that is not RESP2 (first byte " + type + ")");
    }
  }

  private String line() throws IOException {
    StringBuilder line = new StringBuilder();
    int c;
    while ((c = in.read()) != '\r') {
      if (c < 0) {
        throw new EOFException("Redis closed the connection in the middle of an answer");
      }
      line.append((char) c);
    }
    in.read(); // '\n'
    return line.toString();
  }

  /** Closes this connection; the next call opens a new one. */
  public void disconnect() {
    AutoCloseable open = link;
    link = null;
    if (open != null) {
      try {
        open.close();
      } catch (Exception ignored) {
        // closing is all that was left to do with it
      }
    }
  }

  /** Closes the connection for good: a call after it fails. */
  @Override
  public void close() {
    closed = true;
    disconnect();
  }
}
