package dev.broadcasting.resp.internal;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Reads RESP2 replies from a stream, one at a time, through a buffer of its own: a pipelined
 * connection's replies arrive many to a read.
 *
 * <pre>{@code
 * RespReader replies = new RespReader(link.input(), 64 * 1024, RespError::new);
 * Object answer = replies.read(); // Long, String, List, null or a RespError
 * }</pre>
 */
public final class RespReader {
  private final InputStream in;
  private final Function<String, ?> errors;
  private final byte[] buffer;
  private int position;
  private int limit;

  /** {@code errors} makes the object an error reply is read as, from its text. */
  public RespReader(InputStream in, int bufferSize, Function<String, ?> errors) {
    this.in = in;
    this.errors = errors;
    this.buffer = new byte[Math.max(64, bufferSize)];
  }

  /**
   * One reply: a {@code Long} for an integer, a {@code String} for a status or bulk string, a
   * {@code List} for an array, null for a null bulk string or array, and what {@code errors}
   * makes of an error reply. Blocks until it is all there; a stream that ends first is an
   * {@link EOFException}, bytes that are not RESP2 an {@link IOException}.
   */
  public Object read() throws IOException {
    int type = next();
    switch (type) {
      case '+':
        return line();
      case '-':
        return errors.apply(line());
      case ':':
        return number();
      case '$': {
        long length = number();
        return length < 0 ? null : bulk(length);
      }
      case '*': {
        long count = number();
        if (count < 0) {
          return null;
        }
        List<Object> items = new ArrayList<>((int) Math.min(count, 1024));
        for (long i = 0; i < count; i++) {
          items.add(read());
        }
        return items;
      }
      default:
        throw new IOException("Redis answered something that is not RESP2 (first byte " + type + ")");
    }
  }

  /** Whether a whole reply or part of one is buffered, so {@link #read} may not block for it. */
  public boolean buffered() {
    return position < limit;
  }

  private String bulk(long length) throws IOException {
    if (length > Integer.MAX_VALUE - 2) {
      throw new IOException("Redis answered a bulk string of " + length + " bytes");
    }
    byte[] bytes = new byte[(int) length];
    int copied = 0;
    while (copied < length) {
      if (position == limit) {
        fill();
      }
      int chunk = (int) Math.min(length - copied, limit - position);
      System.arraycopy(buffer, position, bytes, copied, chunk);
      position += chunk;
      copied += chunk;
    }
    endOfLine();
    return new String(bytes, StandardCharsets.UTF_8);
  }

  private long number() throws IOException {
    boolean negative = false;
    long value = 0;
    int c = next();
    if (c == '-') {
      negative = true;
      c = next();
    }
    for (; c != '\r'; c = next()) {
      if (c < '0' || c > '9') {
        throw new IOException("Redis answered a number with a '" + (char) c + "' in it");
      }
      value = value * 10 + (c - '0');
    }
    if (next() != '\n') {
      throw new IOException("Redis answered a line that does not end in CRLF");
    }
    return negative ? -value : value;
  }

  private String line() throws IOException {
    for (int i = position; i < limit; i++) {
      if (buffer[i] == '\r' && i + 1 < limit) {
        String line = new String(buffer, position, i - position, StandardCharsets.UTF_8);
        position = i + 1;
        endOfLineAfterReturn();
        return line;
      }
    }
    ByteArrayOutputStream line = new ByteArrayOutputStream(64);
    for (int c = next(); c != '\r'; c = next()) {
      line.write(c);
    }
    endOfLineAfterReturn();
    return line.toString(StandardCharsets.UTF_8);
  }

  private void endOfLine() throws IOException {
    if (next() != '\r') {
      throw new IOException("Redis answered a bulk string longer than it said");
    }
    endOfLineAfterReturn();
  }

  private void endOfLineAfterReturn() throws IOException {
    if (next() != '\n') {
      throw new IOException("Redis answered a line that does not end in CRLF");
    }
  }

  private int next() throws IOException {
    if (position == limit) {
      fill();
    }
    return buffer[position++] & 0xff;
  }

  private void fill() throws IOException {
    int read;
    while ((read = in.read(buffer, 0, buffer.length)) == 0) {
      // a stream that gives nothing without an end: ask again
    }
    if (read < 0) {
      throw new EOFException("Redis closed the connection");
    }
    position = 0;
    limit = read;
  }
}
