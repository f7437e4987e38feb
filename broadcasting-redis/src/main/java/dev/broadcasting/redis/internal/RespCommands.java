package dev.broadcasting.redis.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Redis commands formatted as RESP, back to back in one growable array, to be written with one
 * call: the bytes a pipelined batch puts on the wire. The command names a publish starts with are
 * formatted once, not per event.
 *
 * <pre>{@code
 * RespCommands batch = new RespCommands(1024);
 * batch.publish(false, channel, body);
 * batch.writeTo(socket.getOutputStream());
 * }</pre>
 */
public final class RespCommands {
  private static final byte[] PUBLISH = "*3\r\n$7\r\nPUBLISH\r\n".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] SPUBLISH = "*3\r\n$8\r\nSPUBLISH\r\n".getBytes(StandardCharsets.US_ASCII);

  private byte[] bytes;
  private int size;

  public RespCommands(int capacity) {
    this.bytes = new byte[Math.max(64, capacity)];
  }

  /** {@code PUBLISH channel body}, or {@code SPUBLISH} when {@code sharded}. */
  public void publish(boolean sharded, byte[] channel, byte[] body) {
    append(sharded ? SPUBLISH : PUBLISH);
    bulk(channel);
    bulk(body);
  }

  /** Any command, its name first. */
  public void command(byte[]... args) {
    header('*', args.length);
    for (byte[] arg : args) {
      bulk(arg);
    }
  }

  public void writeTo(OutputStream out) throws IOException {
    out.write(bytes, 0, size);
  }

  /** The bytes written so far; for tests. */
  byte[] toByteArray() {
    return Arrays.copyOf(bytes, size);
  }

  private void bulk(byte[] arg) {
    header('$', arg.length);
    append(arg);
    ensure(2);
    bytes[size++] = '\r';
    bytes[size++] = '\n';
  }

  private void header(char type, int count) {
    ensure(14);
    bytes[size++] = (byte) type;
    if (count == 0) {
      bytes[size++] = '0';
    } else {
      int digits = 0;
      for (int n = count; n > 0; n /= 10) {
        digits++;
      }
      for (int i = digits - 1, n = count; i >= 0; i--, n /= 10) {
        bytes[size + i] = (byte) ('0' + n % 10);
      }
      size += digits;
    }
    bytes[size++] = '\r';
    bytes[size++] = '\n';
  }

  private void append(byte[] part) {
    ensure(part.length);
    System.arraycopy(part, 0, bytes, size, part.length);
    size += part.length;
  }

  private void ensure(int more) {
    if (size + more > bytes.length) {
      bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
    }
  }
}
