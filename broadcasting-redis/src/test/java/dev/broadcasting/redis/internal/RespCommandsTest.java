package dev.broadcasting.redis.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.broadcasting.resp.internal.RespWriter;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RespCommandsTest {
  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void formatsPublishSpublishAndAnyCommandBackToBackAsRespArraysOfBulkStrings() {
    RespWriter batch = new RespWriter(8); // smaller than the bytes: it grows
    RespCommands.publish(batch, false, bytes("private-orders.42"), bytes("{\"event\":\"é\"}"));
    RespCommands.publish(batch, true, bytes("c"), new byte[0]);
    batch.command(bytes("EVAL"), bytes("return 1"), bytes("0"));

    assertThat(new String(batch.toByteArray(), StandardCharsets.UTF_8)).isEqualTo(
        "*3\r\n$7\r\nPUBLISH\r\n$17\r\nprivate-orders.42\r\n$14\r\n{\"event\":\"é\"}\r\n"
            + "*3\r\n$8\r\nSPUBLISH\r\n$1\r\nc\r\n$0\r\n\r\n"
            + "*3\r\n$4\r\nEVAL\r\n$8\r\nreturn 1\r\n$1\r\n0\r\n");
  }

  @Test
  void writesLengthsOfSeveralDigits() {
    RespWriter batch = new RespWriter(64);
    RespCommands.publish(batch, false, bytes("c"), new byte[1_234_567]);

    byte[] wire = batch.toByteArray();
    assertThat(new String(wire, 0, 34, StandardCharsets.US_ASCII)).isEqualTo("*3\r\n$7\r\nPUBLISH\r\n$1\r\nc\r\n$1234567\r\n");
    assertThat(wire).hasSize(17 + 7 + 10 + 1_234_567 + 2);
  }
}
