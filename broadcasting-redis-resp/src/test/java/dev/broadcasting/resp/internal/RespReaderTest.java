package dev.broadcasting.resp.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class RespReaderTest {
  private static final String REPLIES = ":3\r\n:-12\r\n+OK\r\n-NOSCRIPT No matching script\r\n$4\r\nh\u00e9l\r\n$-1\r\n"
      + "*3\r\n:1\r\n$0\r\n\r\n*1\r\n+QUEUED\r\n*-1\r\n";

  @Test
  void readsEveryKindOfRespTwoReplyInOrder() throws IOException {
    assertAll(new RespReader(new ByteArrayInputStream(bytes(REPLIES)), 64, RespError::new));
  }

  @Test
  void readsRepliesThatArriveOneByteAtATimeThroughASmallBuffer() throws IOException {
    byte[] all = bytes(REPLIES);
    InputStream trickle = new InputStream() {
      private int next;

      @Override
      public int read() {
        return next < all.length ? all[next++] & 0xff : -1;
      }

      @Override
      public int read(byte[] into, int offset, int length) {
        if (next == all.length) {
          return -1;
        }
        into[offset] = all[next++];
        return 1;
      }
    };
    assertAll(new RespReader(trickle, 1, RespError::new));
  }

  @Test
  void aBulkStringLongerThanTheBufferIsReadWhole() throws IOException {
    byte[] body = new byte[200_000];
    Arrays.fill(body, (byte) 'x');
    RespWriter reply = new RespWriter(16);
    reply.bulk(body);
    RespReader reader = new RespReader(new ByteArrayInputStream(reply.toByteArray()), 64, RespError::new);
    assertThat(reader.read()).isEqualTo(new String(body, StandardCharsets.US_ASCII));
  }

  @Test
  void anEndInTheMiddleOfAReplyAndBytesThatAreNotRespAreErrors() {
    assertThatThrownBy(() -> new RespReader(new ByteArrayInputStream(bytes("$5\r\nab")), 64, RespError::new).read())
        .isInstanceOf(EOFException.class).hasMessage("Redis closed the connection");
    assertThatThrownBy(() -> new RespReader(new ByteArrayInputStream(bytes("HTTP/1.1 400\r\n")), 64,
        RespError::new).read()).isInstanceOf(IOException.class)
        .hasMessage("Redis answered something that is not RESP2 (first byte 72)");
    assertThatThrownBy(() -> new RespReader(new ByteArrayInputStream(bytes(":1x\r\n")), 64, RespError::new).read())
        .hasMessage("Redis answered a number with a 'x' in it");
  }

  @Test
  void theWriterFormatsCommandsBackToBack() {
    RespWriter writer = new RespWriter(1);
    writer.command("SELECT", "12");
    writer.raw(bytes("*3\r\n$7\r\nPUBLISH\r\n"));
    writer.bulk(bytes("room"));
    writer.bulk(new byte[0]);
    assertThat(new String(writer.toByteArray(), StandardCharsets.UTF_8))
        .isEqualTo("*2\r\n$6\r\nSELECT\r\n$2\r\n12\r\n*3\r\n$7\r\nPUBLISH\r\n$4\r\nroom\r\n$0\r\n\r\n");
    writer.reset();
    writer.command("h\u00e9");
    assertThat(writer.toByteArray()).isEqualTo(bytes("*1\r\n$3\r\nh\u00e9\r\n"));
  }

  private static void assertAll(RespReader reader) throws IOException {
    assertThat(reader.read()).isEqualTo(3L);
    assertThat(reader.read()).isEqualTo(-12L);
    assertThat(reader.read()).isEqualTo("OK");
    assertThat(reader.read()).isEqualTo(new RespError("NOSCRIPT No matching script"));
    assertThat(reader.read()).isEqualTo("h\u00e9l");
    assertThat(reader.read()).isNull();
    assertThat(reader.read()).isEqualTo(List.of(1L, "", List.of("QUEUED")));
    assertThat(reader.read()).isNull();
    assertThat(reader.buffered()).isFalse();
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
