package dev.broadcasting.resp.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/**
 * A connection to a Unix domain socket as blocking streams that give up after a timeout. A
 * blocking {@link SocketChannel} has no read timeout for this family ({@code SO_TIMEOUT} is a
 * TCP socket's), and a client waiting forever on a paused server would hold its callers; so
 * the channel is non-blocking and each read or write waits on a selector for at most the timeout.
 *
 * <pre>{@code
 * UnixSocketStreams streams = UnixSocketStreams.connect(Path.of("/run/redis/redis.sock"), 5_000);
 * streams.output().write(request);
 * int first = streams.input().read();
 * }</pre>
 */
final class UnixSocketStreams implements AutoCloseable {
  private final SocketChannel channel;
  private final Selector selector;
  private volatile int timeoutMillis;
  private final InputStream input = new BulkInputStream() {
    @Override
    public int read(byte[] bytes, int offset, int length) throws IOException {
      if (length == 0) {
        return 0;
      }
      ByteBuffer buffer = ByteBuffer.wrap(bytes, offset, length);
      int read;
      while ((read = channel.read(buffer)) == 0) {
        await(SelectionKey.OP_READ, "answer");
      }
      return read;
    }
  };
  private final OutputStream output = new OutputStream() {
    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
      ByteBuffer buffer = ByteBuffer.wrap(bytes, offset, length);
      while (buffer.hasRemaining()) {
        if (channel.write(buffer) == 0) {
          await(SelectionKey.OP_WRITE, "take the request");
        }
      }
    }
  };

  private UnixSocketStreams(SocketChannel channel, Selector selector, int timeoutMillis) {
    this.channel = channel;
    this.selector = selector;
    this.timeoutMillis = timeoutMillis;
  }

  /** Connects to the socket at {@code path}; reads and writes wait at most {@code timeoutMillis}. */
  static UnixSocketStreams connect(Path path, int timeoutMillis) throws IOException {
    SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
    try {
      channel.connect(UnixDomainSocketAddress.of(path));
      channel.configureBlocking(false);
      return new UnixSocketStreams(channel, Selector.open(), timeoutMillis);
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw new IOException("Cannot connect to the Unix socket " + path + ": " + e.getMessage(), e);
    }
  }

  private void await(int operation, String what) throws IOException {
    SelectionKey key = channel.register(selector, operation);
    try {
      if (selector.select(timeoutMillis) == 0) {
        throw new SocketTimeoutException("Redis did not " + what + " within " + timeoutMillis + " ms");
      }
    } finally {
      key.interestOps(0);
      selector.selectedKeys().clear();
    }
  }

  /** Reads and writes from now on wait at most {@code millis}. */
  void timeout(int millis) {
    timeoutMillis = millis;
  }

  InputStream input() {
    return input;
  }

  OutputStream output() {
    return output;
  }

  @Override
  public void close() throws IOException {
    try {
      selector.close();
    } finally {
      channel.close();
    }
  }
}
