package dev.broadcasting.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP proxy in front of a server, for network trouble on demand: {@link #cut} drops every
 * connection, {@link #outage} also holds new ones unanswered for a while (as a network that drops
 * packets does), {@link #stall} holds the bytes of
 * open connections for a while without closing them, {@link #target} moves to another server.
 */
final class TcpProxy implements AutoCloseable {
  private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
  private final int port;
  private volatile ServerSocket listener;
  private volatile int targetPort;
  private volatile long stalledUntil = System.nanoTime();
  private volatile boolean closed;

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

  /** Cuts every connection and refuses new ones for {@code length}: a network gone for a while. */
  void outage(Duration length) throws IOException {
    listener.close();
    cut();
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
        pump(client, server);
        pump(server, client);
      } catch (IOException e) {
        // the listener closed, or the target refused: the client sees a closed connection
      }
    }
  }

  private void pump(Socket from, Socket to) {
    Thread thread = new Thread(() -> {
      byte[] buffer = new byte[16 * 1024];
      try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
        int read;
        while ((read = in.read(buffer)) >= 0) {
          long wait = stalledUntil - System.nanoTime();
          if (wait > 0) {
            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
          }
          out.write(buffer, 0, read);
          out.flush();
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
