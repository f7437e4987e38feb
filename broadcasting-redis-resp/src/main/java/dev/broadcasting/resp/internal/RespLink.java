package dev.broadcasting.resp.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;

/**
 * One open connection to Redis, made by {@link RespEndpoint#open}: its streams, and a blocking
 * {@link #call} of one command and its answer. A pipelining user writes to {@link #output} and
 * reads {@link #input} with a {@link RespReader} of its own instead, and then calls no more.
 *
 * <pre>{@code
 * try (RespLink link = endpoint.open()) {
 *   Object answer = link.call("EVALSHA", sha, "1", "stream", "arg");
 * }
 * }</pre>
 */
public final class RespLink implements AutoCloseable {
  /** Null for a Unix socket. */
  private final Socket socket;
  /** Null for TCP. */
  private final UnixSocketStreams unix;
  private final InputStream input;
  private final OutputStream output;
  private final RespWriter request = new RespWriter(4096);
  private RespReader replies;

  RespLink(Socket socket) throws IOException {
    this.socket = socket;
    this.unix = null;
    this.input = socket.getInputStream();
    this.output = socket.getOutputStream();
  }

  RespLink(UnixSocketStreams unix) {
    this.socket = null;
    this.unix = unix;
    this.input = unix.input();
    this.output = unix.output();
  }

  /**
   * Sends one command and reads its answer: a {@code Long}, a {@code String}, a {@code List}, null,
   * or a {@link RespError}. Not for a link whose input a pipelining reader took.
   */
  public Object call(String... args) throws IOException {
    request.reset();
    request.command(args);
    request.writeTo(output);
    output.flush();
    if (replies == null) {
      replies = new RespReader(input, 8192, RespError::new);
    }
    return replies.read();
  }

  public InputStream input() {
    return input;
  }

  public OutputStream output() {
    return output;
  }

  /**
   * How long a read waits before it throws {@link java.net.SocketTimeoutException}; the connection
   * stays good after one. For a Unix socket, writes wait as long.
   */
  public void readTimeout(int millis) throws IOException {
    if (socket != null) {
      socket.setSoTimeout(millis);
    } else {
      unix.timeout(millis);
    }
  }

  @Override
  public void close() {
    try {
      if (socket != null) {
        socket.close();
      } else {
        unix.close();
      }
    } catch (IOException ignored) {
      // closing is all that was left to do with it
    }
  }
}
