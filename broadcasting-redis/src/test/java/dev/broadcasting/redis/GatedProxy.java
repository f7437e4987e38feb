package dev.broadcasting.redis;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A TCP relay between the driver and Redis that the fault tests can shut: shutting cuts every
 * relayed connection and refuses new ones (accepted, then closed at once) until it is opened
 * again. It lets a test decide when the driver may reach a restarted server, after the
 * subscriber is back; the server itself is really killed and restarted. On request it also keeps
 * what it reads from the driver, read by read: what the driver flushed in one write (small enough
 * for one loopback segment) arrives in one read.
 */
public final class GatedProxy implements AutoCloseable {
  private final ServerSocket server;
  private int target;
  private final Set<Socket> sockets = new HashSet<>();
  private final List<byte[]> fromClient = new ArrayList<>();
  private boolean recording;
  private boolean open = true;

  public GatedProxy(int target) throws IOException {
    this.target = target;
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(this::acceptLoop, "gated-proxy-" + server.getLocalPort());
    acceptor.setDaemon(true);
    acceptor.start();
  }

  public int port() {
    return server.getLocalPort();
  }

  /** Cuts every relayed connection and refuses new ones. */
  public synchronized void shut() {
    open = false;
    sockets.forEach(GatedProxy::closeQuietly);
    sockets.clear();
  }

  public synchronized void open() {
    open = true;
  }

  /** From now on, keeps each read from the driver's side, forgetting any kept before. */
  public synchronized void recordReads() {
    fromClient.clear();
    recording = true;
  }

  /** What the proxy read from the driver's side since {@link #recordReads}, one entry per read. */
  public synchronized List<byte[]> readsFromClient() {
    return List.copyOf(fromClient);
  }

  /** Relays the connections accepted from now on to {@code port}, as a load balancer sending clients elsewhere. */
  public synchronized void target(int port) {
    target = port;
  }

  @Override
  public void close() {
    closeQuietly(server);
    shut();
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      Socket client;
      try {
        client = server.accept();
      } catch (IOException e) {
        return;
      }
      synchronized (this) {
        if (!open) {
          closeQuietly(client);
          continue;
        }
        Socket upstream;
        try {
          upstream = new Socket(InetAddress.getLoopbackAddress(), target);
          upstream.setTcpNoDelay(true);
          client.setTcpNoDelay(true);
        } catch (IOException e) {
          closeQuietly(client);
          continue;
        }
        sockets.add(client);
        sockets.add(upstream);
        pump(client, upstream, true);
        pump(upstream, client, false);
      }
    }
  }

  private void pump(Socket from, Socket to, boolean fromTheClient) {
    Thread thread = new Thread(() -> {
      byte[] buffer = new byte[64 * 1024];
      try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
        for (int n; (n = in.read(buffer)) >= 0; ) {
          if (fromTheClient) {
            synchronized (this) {
              if (recording) {
                fromClient.add(Arrays.copyOf(buffer, n));
              }
            }
          }
          out.write(buffer, 0, n);
          out.flush();
        }
      } catch (IOException ignored) {
        // the other side went away, or the gate was shut
      } finally {
        closeQuietly(from);
        closeQuietly(to);
      }
    }, "gated-proxy-pump");
    thread.setDaemon(true);
    thread.start();
  }

  private static void closeQuietly(java.io.Closeable closeable) {
    try {
      closeable.close();
    } catch (IOException ignored) {
      // closing is best effort
    }
  }
}
