package dev.broadcasting.kit;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ServerSocketFactory;

/**
 * Server sockets for a test's HTTP peer (such as MockWebServer) that keep every connection they
 * accept, so that a test can see a client abandon a request it held: the client closes the
 * connection. Nagle's algorithm is off on each, as a response's head and body are written apart.
 *
 * <pre>{@code
 * PeerSockets sockets = new PeerSockets();
 * server.setServerSocketFactory(sockets);
 * // in the dispatcher, holding a request:
 * boolean abandoned = sockets.awaitClientClose(request.getConnectionIndex(), Duration.ofSeconds(5));
 * }</pre>
 */
public final class PeerSockets extends ServerSocketFactory {
  private final List<Socket> accepted = new CopyOnWriteArrayList<>();

  @Override
  public ServerSocket createServerSocket() throws IOException {
    return new ServerSocket() {
      @Override
      public Socket accept() throws IOException {
        Socket socket = super.accept();
        socket.setTcpNoDelay(true);
        accepted.add(socket);
        return socket;
      }
    };
  }

  /**
   * Waits until the client closes the {@code index}-th connection accepted (counting from 0), while
   * the peer reads nothing more from it: true when it did within {@code timeout}. Only for a
   * connection whose request the peer holds, as it reads what the client would send next.
   */
  public boolean awaitClientClose(int index, Duration timeout) {
    Socket socket = accepted.get(index);
    try {
      socket.setSoTimeout((int) Math.max(1, timeout.toMillis()));
      return socket.getInputStream().read() == -1;
    } catch (SocketTimeoutException stillOpen) {
      return false;
    } catch (IOException reset) {
      return true;
    }
  }

  @Override
  public ServerSocket createServerSocket(int port) {
    throw new UnsupportedOperationException("bound by the server that uses this factory");
  }

  @Override
  public ServerSocket createServerSocket(int port, int backlog) {
    throw new UnsupportedOperationException("bound by the server that uses this factory");
  }

  @Override
  public ServerSocket createServerSocket(int port, int backlog, InetAddress address) {
    throw new UnsupportedOperationException("bound by the server that uses this factory");
  }
}
