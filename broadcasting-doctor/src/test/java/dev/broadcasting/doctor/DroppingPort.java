package dev.broadcasting.doctor;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

/**
 * A port that drops connection attempts, as a firewall's DROP rule does: a listening socket that
 * never accepts, its accept queue filled, so the kernel drops every new SYN and a connect neither
 * succeeds nor is refused; it times out.
 */
final class DroppingPort implements AutoCloseable {
  private final ServerSocket listening = new ServerSocket();
  private final List<Socket> fillers = new ArrayList<>();

  DroppingPort() throws IOException {
    listening.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1);
    // One timed-out connect can be a busy machine rather than a full queue; the queue counts as
    // full only when several attempts in a row get no answer.
    int silentInARow = 0;
    for (int i = 0; i < 16 && silentInARow < 3; i++) {
      if (connectFiller()) {
        silentInARow = 0;
      } else {
        silentInARow++;
      }
    }
    if (silentInARow < 3) {
      throw new IOException("the accept queue of port " + port() + " never filled; SYNs are not being dropped");
    }
  }

  private boolean connectFiller() throws IOException {
    Socket filler = new Socket();
    try {
      filler.connect(new InetSocketAddress("127.0.0.1", port()), 500);
      fillers.add(filler);
      return true;
    } catch (IOException noAnswer) {
      filler.close();
      return false;
    }
  }

  int port() {
    return listening.getLocalPort();
  }

  @Override
  public void close() throws IOException {
    for (Socket filler : fillers) {
      filler.close();
    }
    listening.close();
  }
}
