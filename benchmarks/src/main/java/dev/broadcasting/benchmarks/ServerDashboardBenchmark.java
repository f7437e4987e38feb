package dev.broadcasting.benchmarks;

import dev.broadcasting.Channel;
import dev.broadcasting.server.App;
import dev.broadcasting.server.BroadcastServer;
import dev.broadcasting.spi.BroadcastDriver;
import dev.broadcasting.spi.BroadcastMessage;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Messages per second out of the embedded server with its dashboard on (nobody watching: the
 * event log and the per-second sampling run, no page is open) and off, in the same run. Each
 * operation publishes {@value #EVENTS} events of 200 bytes through the in-process driver to a
 * public channel with {@value #SUBSCRIBERS} raw WebSocket subscribers, and returns once every
 * subscriber has read all of them; the score is in messages delivered (events x subscribers).
 * Clients, server and benchmark share the machine's cores.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class ServerDashboardBenchmark {
  static final int EVENTS = 50;
  static final int SUBSCRIBERS = 4;
  private static final byte[] UPGRADE = ("GET /app/bench-key?protocol=7 HTTP/1.1\r\nHost: 127.0.0.1\r\n"
      + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
      + "Sec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII);

  @Param({"on", "off"})
  public String dashboard;

  private BroadcastServer server;
  private BroadcastDriver driver;
  private BroadcastMessage message;
  private final List<Socket> sockets = new ArrayList<>();
  private final AtomicLong received = new AtomicLong();
  private long expected;

  @Setup
  public void start() throws IOException {
    BroadcastServer.Builder builder = BroadcastServer.builder().host("127.0.0.1").port(0)
        .app(App.builder("1", "bench-key", "bench-secret").build());
    if (dashboard.equals("on")) {
      builder.dashboard("operator", "bench-password-long");
    }
    server = builder.build().start();
    driver = server.driver("1");
    message = BroadcastMessage.of("OrderShipped", List.of(new Channel("bench")), Payloads.json(200));
    for (int i = 0; i < SUBSCRIBERS; i++) {
      Socket socket = subscribe();
      sockets.add(socket);
      Thread reader = new Thread(() -> count(socket), "subscriber-" + i);
      reader.setDaemon(true);
      reader.start();
    }
    while (server.subscriptionCount("1", "bench") < SUBSCRIBERS) {
      LockSupport.parkNanos(1_000_000);
    }
  }

  @TearDown
  public void stop() throws IOException {
    for (Socket socket : sockets) {
      socket.close();
    }
    server.close();
  }

  @Benchmark
  @OperationsPerInvocation(EVENTS * SUBSCRIBERS)
  public long publishAndDeliver() {
    expected += (long) EVENTS * SUBSCRIBERS;
    for (int i = 0; i < EVENTS; i++) {
      driver.publish(message);
    }
    while (received.get() < expected) {
      // parked, not spinning: on a 2-core machine a spinning thread takes a core from the server
      LockSupport.parkNanos(20_000);
    }
    return expected;
  }

  private Socket subscribe() throws IOException {
    Socket socket = new Socket();
    socket.setTcpNoDelay(true);
    socket.connect(new InetSocketAddress("127.0.0.1", server.port()));
    OutputStream out = socket.getOutputStream();
    DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(socket.getInputStream()));
    out.write(UPGRADE);
    out.flush();
    ServerConnectBenchmark.skipHeaders(in);
    ServerConnectBenchmark.readTextFrame(in);
    out.write(ServerConnectBenchmark.maskedText("{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":\"bench\"}}"));
    out.flush();
    ServerConnectBenchmark.readTextFrame(in);
    return socket;
  }

  private void count(Socket socket) {
    try {
      DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(socket.getInputStream(), 65536));
      while (true) {
        ServerConnectBenchmark.readTextFrame(in);
        received.incrementAndGet();
      }
    } catch (IOException closed) {
      // the benchmark's tear-down closed the socket
    }
  }
}
