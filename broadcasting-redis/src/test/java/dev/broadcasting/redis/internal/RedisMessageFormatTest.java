package dev.broadcasting.redis.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.broadcasting.Channel;
import dev.broadcasting.resp.internal.RespWriter;
import dev.broadcasting.spi.BroadcastMessage;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RedisMessageFormatTest {
  /** The bytes copied straight are the bytes Jackson's quoting gives, and what Laravel's relays read. */
  @ParameterizedTest
  @CsvSource(delimiter = '|', nullValues = "NULL", value = {
      "OrderShipped|NULL|{\"id\":1}|{\"event\":\"OrderShipped\",\"data\":{\"id\":1},\"socket\":null}",
      "chat.message|1234.5678|{}|{\"event\":\"chat.message\",\"data\":{},\"socket\":\"1234.5678\"}",
      "a \"quoted\" \\ name|NULL|{}|{\"event\":\"a \\\"quoted\\\" \\\\ name\",\"data\":{},\"socket\":null}",
      "\u00e9v\u00e9nement|NULL|{\"t\":\"\u00e9\"}|{\"event\":\"\u00e9v\u00e9nement\",\"data\":{\"t\":\"\u00e9\"},\"socket\":null}",
      "tab\there|1.2|{}|{\"event\":\"tab\\there\",\"data\":{},\"socket\":\"1.2\"}",
      "del\u007f|s\"id|{}|{\"event\":\"del\u007f\",\"data\":{},\"socket\":\"s\\\"id\"}",
      "plain|NULL|{\"emoji\":\"\ud83d\ude80\"}|{\"event\":\"plain\",\"data\":{\"emoji\":\"\ud83d\ude80\"},\"socket\":null}",
      "lone|NULL|{\"s\":\"\ud83d\"}|{\"event\":\"lone\",\"data\":{\"s\":\"?\"},\"socket\":null}"})
  void theBodyIsLaravelsJsonWhetherOrNotANameNeedsEscaping(String event, String socket, String payload, String expected) {
    BroadcastMessage message = BroadcastMessage.of(event, List.of(new Channel("c")), payload, socket, null);

    assertThat(new String(RedisMessageFormat.body(message), StandardCharsets.UTF_8)).isEqualTo(expected);
    assertThat(RedisMessageFormat.body(message)).isEqualTo(RedisMessageFormat.quoted(message));
    // the same bytes as a bulk string of a batch, written straight into it
    RespWriter batch = new RespWriter(8);
    batch.raw(new byte[] {'>'});
    RedisMessageFormat.appendBulk(batch, message);
    byte[] body = expected.getBytes(StandardCharsets.UTF_8);
    assertThat(new String(batch.toByteArray(), StandardCharsets.UTF_8))
        .isEqualTo(">$" + body.length + "\r\n" + expected + "\r\n");
  }
}
