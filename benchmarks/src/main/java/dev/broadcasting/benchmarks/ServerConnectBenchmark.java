package dev.broadcasting.benchmarks;

import dev.broadcasting.server.App;
import dev.broadcasting.server.BroadcastServer;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

/**
 * Connect-and-subscribe throughput of the embedded server with its opening deadlines and
 * per-address limit on (the defaults) and off, in the same run: each operation opens a TCP
 * connection, upgrades it to a Pusher WebSocket, waits for {@code pusher:connection_established},
 * subscribes to a public channel, waits for {@code subscription_succeeded}, and resets the
 * connection (so that no TIME_WAIT piles up). Client and server share the machine's cores.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(4)
public class ServerConnectBenchmark {
  private static final byte[] UPGRADE = ("GET /app/bench-key?protocol=7 HTTP/1.1\r\nHost: 127.0.0.1\r\n"
      + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
      + "Sec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
  private static final byte[] SUBSCRIBE = maskedText("{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":\"bench\"}}");

  @Param({"on", "off"})
  public String deadlines;

  private BroadcastServer server;

  @Setup
  public void start() {
    BroadcastServer.Builder builder = BroadcastServer.builder().host("127.0.0.1").port(0)
        .app(App.builder("1", "bench-key", "bench-secret").maxConnections(0).build());
    if (deadlines.equals("off")) {
      builder.firstBytesTimeout(Duration.ZERO).requestHeadersTimeout(Duration.ZERO)
          .requestBodyTimeout(Duration.ZERO).keepAliveTimeout(Duration.ZERO).maxOpeningConnectionsPerAddress(0);
    }
    server = builder.build().start();
  }

  @TearDown
  public void stop() {
    server.close();
  }

  @Benchmark
  public int connectAndSubscribe() throws IOException {
    try (Socket socket = new Socket()) {
      socket.setSoLinger(true, 0);
      socket.setTcpNoDelay(true);
      socket.connect(new InetSocketAddress("127.0.0.1", server.port()));
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(socket.getInputStream()));
      out.write(UPGRADE);
      out.flush();
      skipHeaders(in);
      int established = readTextFrame(in);
      out.write(SUBSCRIBE);
      out.flush();
      return established + readTextFrame(in);
    }
  }

  static void skipHeaders(DataInputStream in) throws IOException {
    int matched = 0;
    while (matched < 4) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("the server closed the connection during the handshake");
      }
      matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
    }
  }

  /** Reads one unmasked server frame and returns its payload length. */
  static int readTextFrame(DataInputStream in) throws IOException {
    int opcode = in.readUnsignedByte() & 0x0f;
    int length = in.readUnsignedByte() & 0x7f;
    if (length == 126) {
      length = in.readUnsignedShort();
    }
    in.skipNBytes(length);
    if (opcode != 1) {
      throw new IOException("expected a text frame, got opcode " + opcode);
    }
    return length;
  }

  static byte[] maskedText(String text) {
    byte[] payload = text.getBytes(StandardCharsets.UTF_8);
    byte[] frame = new byte[2 + 4 + payload.length];
    frame[0] = (byte) 0x81;
    frame[1] = (byte) (0x80 | payload.length);
    byte[] mask = {7, 3, 1, 9};
    System.arraycopy(mask, 0, frame, 2, 4);
    for (int i = 0; i < payload.length; i++) {
      frame[6 + i] = (byte) (payload[i] ^ mask[i % 4]);
    }
    return frame;
  }
}
