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
    for (int i = 0; i < 8; i++) {
      Socket filler = new Socket();
      try {
        filler.connect(new InetSocketAddress("127.0.0.1", port()), 200);
        fillers.add(filler);
      } catch (IOException queueFull) {
        filler.close();
        return;
      }
    }
    throw new IOException("the accept queue of port " + port() + " never filled; SYNs are not being dropped");
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
