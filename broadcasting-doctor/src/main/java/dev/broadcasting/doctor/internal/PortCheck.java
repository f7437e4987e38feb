package dev.broadcasting.doctor.internal;

import dev.broadcasting.doctor.Check;
import dev.broadcasting.doctor.Finding;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;

/**
 * Opens a TCP connection to one port, with a short timeout, and tells a refused connection
 * (nothing listens) from one that times out (a firewall drops the packets).
 */
public final class PortCheck implements Check {
  private final Endpoint endpoint;
  private final Duration timeout;

  public PortCheck(Endpoint endpoint, Duration timeout) {
    this.endpoint = endpoint;
    this.timeout = timeout;
  }

  @Override
  public Finding run() {
    String name = "port " + endpoint.address() + " (" + endpoint.role() + ")";
    long started = System.nanoTime();
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(endpoint.host(), endpoint.port()), (int) timeout.toMillis());
      return Finding.ok(name, "accepts connections (" + (System.nanoTime() - started) / 1_000_000 + " ms)");
    } catch (IOException e) {
      return Finding.fail(name, Failures.describe(e, endpoint, timeout.toMillis()), Failures.fix(e, endpoint));
    }
  }
}
