package dev.broadcasting.pusher.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventBodiesTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void aBatchIsByteForByteWhatJacksonWrites() throws IOException {
    StringBuilder every = new StringBuilder();
    for (char c = 0; c < 0x180; c++) {
      every.append(c);
    }
    String data = "{\"order\":\"caf\u00e9 \u20ac \ud83d\ude80\",\"tab\":\"a\tb\\\\c\"}" + every + "\u0800\ud7ff\ue000\uffff";
    List<EventBodies.BatchItem> items = List.of(
        new EventBodies.BatchItem("private-orders.1", "OrderShipped", data, "123.456"),
        new EventBodies.BatchItem("orders", "Ship\u00e9d", "{}", null));

    byte[] body = EventBodies.batch(items);

    assertThat(new String(body, UTF_8)).isEqualTo(jacksonBatch(items));
  }

  @Test
  void anEventIsByteForByteWhatJacksonWrites() throws IOException {
    byte[] body = EventBodies.trigger("OrderShipped", List.of("a", "private-b", "presence-c"), "{\"id\":\"\u0001\"}", "1.2");

    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonGenerator json = new JsonFactory().createGenerator(out)) {
      json.writeStartObject();
      json.writeStringField("name", "OrderShipped");
      json.writeArrayFieldStart("channels");
      json.writeString("a");
      json.writeString("private-b");
      json.writeString("presence-c");
      json.writeEndArray();
      json.writeStringField("data", "{\"id\":\"\u0001\"}");
      json.writeStringField("socket_id", "1.2");
      json.writeEndObject();
    }
    assertThat(new String(body, UTF_8)).isEqualTo(out.toString(UTF_8));
    assertThat(new String(EventBodies.trigger("e", List.of("a"), "{}", null), UTF_8))
        .isEqualTo("{\"name\":\"e\",\"channels\":[\"a\"],\"data\":\"{}\"}");
  }

  @Test
  void aLoneSurrogateIsEscapedAndReadsBackAsItWas() throws IOException {
    String data = "x\ud800y\udc00z\ud83d";
    byte[] body = EventBodies.batch(List.of(new EventBodies.BatchItem("c", "e", data, null)));

    assertThat(new String(body, UTF_8)).contains("x\\uD800y\\uDC00z\\uD83D");
    assertThat(JSON.readTree(body).get("batch").get(0).get("data").asText()).isEqualTo(data);
  }

  private static String jacksonBatch(List<EventBodies.BatchItem> items) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonGenerator json = new JsonFactory().createGenerator(out)) {
      json.writeStartObject();
      json.writeArrayFieldStart("batch");
      for (EventBodies.BatchItem item : items) {
        json.writeStartObject();
        json.writeStringField("channel", item.channel());
        json.writeStringField("name", item.name());
        json.writeStringField("data", item.data());
        if (item.socketId() != null) {
          json.writeStringField("socket_id", item.socketId());
        }
        json.writeEndObject();
      }
      json.writeEndArray();
      json.writeEndObject();
    }
    return out.toString(UTF_8);
  }
}
