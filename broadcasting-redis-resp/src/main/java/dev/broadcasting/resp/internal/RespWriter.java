package dev.broadcasting.resp.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Redis commands formatted as RESP, back to back in one growable array, to be written with one
 * call: the bytes a pipelined batch puts on the wire.
 *
 * <pre>{@code
 * RespWriter batch = new RespWriter(1024);
 * batch.command("PUBLISH", "room", "{\"event\":\"x\"}");
 * batch.writeTo(link.output());
 * }</pre>
 */
public final class RespWriter {
  private byte[] bytes;
  private int size;

  public RespWriter(int capacity) {
    this.bytes = new byte[Math.max(64, capacity)];
  }

  /** Any command, its name first. */
  public void command(byte[]... args) {
    header('*', args.length);
    for (byte[] arg : args) {
      bulk(arg);
    }
  }

  /** Any command, its name first; the arguments in UTF-8. */
  public void command(String... args) {
    header('*', args.length);
    for (String arg : args) {
      bulk(arg.getBytes(StandardCharsets.UTF_8));
    }
  }

  /** Bytes that are RESP already, such as a command's head formatted once: {@code *3\r\n$7\r\nPUBLISH\r\n}. */
  public void raw(byte[] resp) {
    ensure(resp.length);
    System.arraycopy(resp, 0, bytes, size, resp.length);
    size += resp.length;
  }

  /** One bulk string: {@code $length\r\n}, the bytes, {@code \r\n}. */
  public void bulk(byte[] arg) {
    header('$', arg.length);
    raw(arg);
    crlf();
  }

  /** A bulk string's head alone, {@code $length\r\n}: its bytes follow piece by piece, then {@link #crlf}. */
  public void bulkHead(int length) {
    header('$', length);
  }

  /**
   * Text whose characters are all below 256 (ASCII, say) as one byte each: a copy of the string's
   * own bytes, where encoding it first would allocate an array and copy twice.
   */
  @SuppressWarnings("deprecation") // getBytes(int, int, byte[], int) is exactly this copy, and not slated for removal
  public void latin1(String text) {
    ensure(text.length());
    text.getBytes(0, text.length(), bytes, size);
    size += text.length();
  }

  public void crlf() {
    ensure(2);
    bytes[size++] = '\r';
    bytes[size++] = '\n';
  }

  /** The array's length: what it holds without growing. */
  public int capacity() {
    return bytes.length;
  }

  public void writeTo(OutputStream out) throws IOException {
    out.write(bytes, 0, size);
  }

  /** Empties it, keeping the array. */
  public void reset() {
    size = 0;
  }

  public int size() {
    return size;
  }

  public byte[] toByteArray() {
    return Arrays.copyOf(bytes, size);
  }

  /**
   * The bytes written, as {@link #toByteArray}, but the array itself when they fill it exactly: for
   * a writer made for one value of known length and not used after, which saves the copy.
   */
  public byte[] takeBytes() {
    return size == bytes.length ? bytes : toByteArray();
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

  private void ensure(int more) {
    if (size + more > bytes.length) {
      bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
    }
  }
}
