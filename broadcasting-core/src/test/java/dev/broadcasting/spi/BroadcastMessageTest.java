package dev.broadcasting.spi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.broadcasting.Channel;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The queue's byte bound counts what the wire carries, and every message gets its own 96-bit id. */
class BroadcastMessageTest {

  @Test
  void payloadBytesIsTheLengthOfTheUtf8Encoding() {
    List<String> payloads = List.of("{}", "{\"a\":\"é\"}", "{\"a\":\"€ 中文\"}", "{\"a\":\"😀\"}",
        "{\"a\":\"\ud83d\"}", "{\"a\":\"\ude00x\"}", "{\"a\":\"\ud83d\ud83d\ude00\"}", "{\"a\":\"\u07ff\u0800\"}");
    for (String payload : payloads) {
      BroadcastMessage message = BroadcastMessage.of("e", List.of(new Channel("c")), payload);
      assertThat(message.payloadBytes()).as(payload).isEqualTo(payload.getBytes(StandardCharsets.UTF_8).length);
    }
  }

  @Test
  void idsAreSixteenBase64UrlCharactersOfTwelveBytesAndDiffer() {
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < 10_000; i++) {
      String id = BroadcastMessage.of("e", List.of(new Channel("c")), "{}").id();
      assertThat(id).hasSize(16).matches("[A-Za-z0-9_-]{16}");
      assertThat(Base64.getUrlDecoder().decode(id)).hasSize(12);
      ids.add(id);
    }
    assertThat(ids).hasSize(10_000);
  }
}
