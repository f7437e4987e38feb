package dev.broadcasting.resp.internal;

import java.io.IOException;
import java.io.InputStream;

/**
 * An input stream that is read in runs of bytes: a one-byte {@link #read()} goes through
 * {@link #read(byte[], int, int)}, so that a subclass's timeout or watch applies to it as well.
 *
 * <pre>{@code
 * InputStream watched = new BulkInputStream() {
 *   public int read(byte[] bytes, int offset, int length) throws IOException { return in.read(bytes, offset, length); }
 * };
 * }</pre>
 */
public abstract class BulkInputStream extends InputStream {

  @Override
  public final int read() throws IOException {
    byte[] one = new byte[1];
    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public abstract int read(byte[] bytes, int offset, int length) throws IOException;
}
