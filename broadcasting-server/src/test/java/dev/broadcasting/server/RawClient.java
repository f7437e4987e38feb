package dev.broadcasting.server;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A WebSocket client on a plain socket, for what the JDK client cannot do: stop reading
 * altogether, or put several messages into one TCP write.
 */
final class RawClient implements AutoCloseable {
  private final Socket socket = new Socket();
  private DataInputStream in;

  /** Connects with a small receive buffer and completes the handshake on {@code path}. */
  static RawClient connect(int port, String path) throws IOException {
    RawClient client = new RawClient();
    client.socket.setReceiveBufferSize(4096);
    client.socket.connect(new InetSocketAddress("127.0.0.1", port));
    // a test waiting for a frame or a close that never comes fails instead of hanging
    client.socket.setSoTimeout(15_000);
    client.socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\n"
        + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII));
    client.in = new DataInputStream(client.socket.getInputStream());
    String answer = client.readHeaders();
    if (!answer.startsWith("HTTP/1.1 101")) {
      throw new IOException("handshake refused: " + answer);
    }
    return client;
  }

  /** Sends every message as a masked text frame, all in one write. */
  void sendAll(String... messages) throws IOException {
    ByteArrayOutputStream frames = new ByteArrayOutputStream();
    for (String message : messages) {
      frames.write(maskedText(message));
    }
    socket.getOutputStream().write(frames.toByteArray());
    socket.getOutputStream().flush();
  }

  /** Sends one masked frame: {@code opcode} 1 for text, 0 for a continuation; {@code fin} ends the message. */
  void sendFrame(boolean fin, int opcode, byte[] payload) throws IOException {
    socket.getOutputStream().write(masked((fin ? 0x80 : 0) | opcode, payload));
    socket.getOutputStream().flush();
  }

  /**
   * Reads frames until the server's close frame and returns its status code, or 1006 (closed
   * abnormally) when the connection ends without one.
   */
  int awaitCloseCode() throws IOException {
    try {
      while (true) {
        int opcode = in.readUnsignedByte() & 0x0f;
        byte[] payload = readPayload();
        if (opcode == 8) {
          return payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : 1005;
        }
      }
    } catch (java.io.EOFException | java.net.SocketException e) {
      return 1006;
    }
  }

  /** Reads the next text frame the server sent (unmasked, unfragmented) as JSON. */
  JsonNode read() throws IOException {
    return WsClient.JSON.readTree(readText());
  }

  /** Reads the next text frame the server sent, exactly as sent. */
  String readText() throws IOException {
    int opcode = in.readUnsignedByte() & 0x0f;
    byte[] payload = readPayload();
    if (opcode != 1) {
      throw new IOException("expected a text frame, got opcode " + opcode);
    }
    return new String(payload, StandardCharsets.UTF_8);
  }

  private byte[] readPayload() throws IOException {
    long length = in.readUnsignedByte() & 0x7f;
    if (length == 126) {
      length = in.readUnsignedShort();
    } else if (length == 127) {
      length = in.readLong();
    }
    byte[] payload = new byte[(int) length];
    in.readFully(payload);
    return payload;
  }

  private String readHeaders() throws IOException {
    StringBuilder headers = new StringBuilder();
    InputStream stream = in;
    while (!headers.toString().endsWith("\r\n\r\n")) {
      int b = stream.read();
      if (b < 0) {
        break;
      }
      headers.append((char) b);
    }
    return headers.toString();
  }

  /** One client text frame, masked as RFC 6455 requires of clients (payloads under 64 KiB). */
  private static byte[] maskedText(String text) {
    return masked(0x81, text.getBytes(StandardCharsets.UTF_8));
  }

  private static byte[] masked(int firstByte, byte[] payload) {
    ByteArrayOutputStream frame = new ByteArrayOutputStream();
    frame.write(firstByte);
    if (payload.length < 126) {
      frame.write(0x80 | payload.length);
    } else if (payload.length < 65536) {
      frame.write(0x80 | 126);
      frame.write(payload.length >> 8);
      frame.write(payload.length & 0xff);
    } else {
      throw new IllegalArgumentException("RawClient sends messages under 64 KiB");
    }
    byte[] mask = {1, 2, 3, 4};
    frame.writeBytes(mask);
    for (int i = 0; i < payload.length; i++) {
      frame.write(payload[i] ^ mask[i % 4]);
    }
    return frame.toByteArray();
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
