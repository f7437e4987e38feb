package dev.broadcasting.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP proxy in front of a server, for network trouble on demand: {@link #cut} drops every
 * connection, {@link #outage} also holds new ones unanswered for a while (as a network that drops
 * packets does), {@link #refuse} and {@link #admit} do the same for as long as a test needs,
 * {@link #stall} holds the bytes of open connections for a while without closing them,
 * {@link #cutAfter} drops every connection right after the server sent a given message, and
 * {@link #target} moves to another server.
 */
final class TcpProxy implements AutoCloseable {
  private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
  private final int port;
  private volatile ServerSocket listener;
  private volatile Thread accepting;
  private volatile int targetPort;
  private volatile long stalledUntil = System.nanoTime();
  private volatile boolean closed;
  private volatile byte[] cutAfter;
  private volatile CompletableFuture<Void> cutDone;

  TcpProxy(int targetPort) throws IOException {
    this.targetPort = targetPort;
    listen(0);
    this.port = listener.getLocalPort();
  }

  private void listen(int onPort) throws IOException {
    ServerSocket socket = new ServerSocket();
    socket.setReuseAddress(true);
    socket.bind(new InetSocketAddress("127.0.0.1", onPort));
    listener = socket;
    Thread accept = new Thread(() -> accept(socket), "proxy-accept");
    accept.setDaemon(true);
    accepting = accept;
    accept.start();
  }

  int port() {
    return port;
  }

  void target(int port) {
    this.targetPort = port;
  }

  /** Closes every open connection, both ways. */
  void cut() {
    for (Socket socket : sockets) {
      close(socket);
    }
  }

  /**
   * Once the server has sent a client a WebSocket text frame containing {@code marker}, lets that
   * frame through and nothing after it: cuts every connection and refuses new ones until
   * {@link #admit}. The future completes then.
   */
  CompletableFuture<Void> cutAfter(String marker) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    cutDone = done;
    cutAfter = marker.getBytes(StandardCharsets.UTF_8);
    return done;
  }

  /** Cuts every connection and refuses new ones until {@link #admit}. */
  void refuse() throws IOException {
    listener.close();
    // the port is free only once the thread blocked in accept() has left it
    try {
      accepting.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while closing the proxy's listener", e);
    }
    cut();
  }

  /** Accepts connections again after {@link #refuse}. */
  void admit() throws IOException {
    listen(port);
  }

  /** Cuts every connection and refuses new ones for {@code length}: a network gone for a while. */
  void outage(Duration length) throws IOException {
    refuse();
    Thread back = new Thread(() -> {
      try {
        Thread.sleep(length.toMillis());
        if (!closed) {
          listen(port);
        }
      } catch (InterruptedException | IOException e) {
        throw new IllegalStateException("proxy could not listen on " + port + " again", e);
      }
    }, "proxy-outage");
    back.setDaemon(true);
    back.start();
  }

  /** Holds every byte in flight for {@code length}; connections stay open. */
  void stall(Duration length) {
    stalledUntil = System.nanoTime() + length.toNanos();
  }

  private void accept(ServerSocket listening) {
    while (!listening.isClosed()) {
      try {
        Socket client = listening.accept();
        Socket server = new Socket("127.0.0.1", targetPort);
        sockets.add(client);
        sockets.add(server);
        pump(client, server, false);
        pump(server, client, true);
      } catch (IOException e) {
        // the listener closed, or the target refused: the client sees a closed connection
      }
    }
  }

  private void pump(Socket from, Socket to, boolean toClient) {
    Thread thread = new Thread(() -> {
      byte[] buffer = new byte[16 * 1024];
      try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
        int read;
        while ((read = in.read(buffer)) >= 0) {
          long wait = stalledUntil - System.nanoTime();
          if (wait > 0) {
            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
          }
          int end = toClient ? endOfMarkedFrame(buffer, read) : -1;
          out.write(buffer, 0, end < 0 ? read : end);
          out.flush();
          if (end >= 0) {
            cutAfter = null;
            refuse();
            cutDone.complete(null);
            return;
          }
        }
      } catch (IOException | InterruptedException e) {
        // cut, or the other side closed
      } finally {
        close(from);
        close(to);
      }
    }, "proxy-pump");
    thread.setDaemon(true);
    thread.start();
  }

  /**
   * Where the frame holding the {@link #cutAfter} marker ends in {@code buffer}: at the next frame's
   * first byte (0x81, a final text frame; never a byte of ASCII JSON) or at the end of what was
   * read; -1 when the marker is not there (or none is set).
   */
  private int endOfMarkedFrame(byte[] buffer, int length) {
    byte[] marker = cutAfter;
    if (marker == null) {
      return -1;
    }
    for (int at = 0; at + marker.length <= length; at++) {
      if (Arrays.equals(buffer, at, at + marker.length, marker, 0, marker.length)) {
        for (int end = at + marker.length; end < length; end++) {
          if (buffer[end] == (byte) 0x81) {
            return end;
          }
        }
        return length;
      }
    }
    return -1;
  }

  private void close(Socket socket) {
    sockets.remove(socket);
    try {
      socket.close();
    } catch (IOException e) {
      // already closed
    }
  }

  @Override
  public void close() throws IOException {
    closed = true;
    listener.close();
    cut();
  }
}
