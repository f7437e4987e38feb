package dev.broadcasting.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.broadcasting.BroadcastException;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A thread's kept generator writes exactly what the mapper's own writeValueAsString writes, payload after payload. */
class PayloadSerializerTest {
  record Order(long orderId, String carrier, Date at, List<String> items, Map<String, Integer> counts) {}

  static final class Broken {
    public String getFine() {
      return "fine";
    }

    public String getBad() {
      throw new IllegalStateException("no");
    }
  }

  /** A getter that serializes another payload with the same serializer on the same thread. */
  static final class Nested {
    final PayloadSerializer serializer;

    Nested(PayloadSerializer serializer) {
      this.serializer = serializer;
    }

    public String getInner() {
      return serializer.serialize(Map.of("inner", 1), Nested.class);
    }
  }

  private static List<Object> payloads() {
    Map<String, Object> unicode = new LinkedHashMap<>();
    unicode.put("text", "é € 中文 😀 \"quoted\" \\ \n\t\u0001");
    unicode.put("none", null);
    return List.of(Map.of(), Map.of("text", "x".repeat(189)), unicode,
        new Order(42, "UPS", new Date(1_796_032_800_000L), List.of("a", "b"), Map.of("a", 1)),
        Map.of("big", "y".repeat(3 * PayloadSerializer.KEPT_CHARS)), Map.of("after", "big"));
  }

  /** Each payload, twice over, as the kept generator wrote it and as the mapper's own writeValueAsString did. */
  record Written(List<String> kept, List<String> mappers) {}

  private static Written written(ObjectMapper mapper) throws Exception {
    PayloadSerializer serializer = new PayloadSerializer(mapper);
    List<String> kept = new ArrayList<>();
    List<String> mappers = new ArrayList<>();
    for (int round = 0; round < 2; round++) {
      for (Object payload : payloads()) {
        kept.add(serializer.serialize(payload, Order.class));
        mappers.add(mapper.writeValueAsString(payload));
      }
    }
    return new Written(kept, mappers);
  }

  @Test
  void eachPayloadIsTheMappersOwnTextWithNothingBetweenPayloads() throws Exception {
    Written written = written(PayloadSerializer.defaultMapper());
    assertThat(written.kept()).isEqualTo(written.mappers());
  }

  @Test
  void anApplicationsMapperSettingsApplyToTheKeptGenerator() throws Exception {
    Written renamed = written(PayloadSerializer.defaultMapper()
        .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
        .enable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
        .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS));
    assertThat(renamed.kept()).isEqualTo(renamed.mappers());
    Written indented = written(PayloadSerializer.defaultMapper().enable(SerializationFeature.INDENT_OUTPUT));
    assertThat(indented.kept()).isEqualTo(indented.mappers());
  }

  @Test
  void aPayloadThatFailsHalfWayLeavesNothingBehindForTheNextOne() {
    PayloadSerializer serializer = new PayloadSerializer(PayloadSerializer.defaultMapper());
    assertThat(serializer.serialize(Map.of("a", 1), Order.class)).isEqualTo("{\"a\":1}");
    assertThatThrownBy(() -> serializer.serialize(new Broken(), Broken.class))
        .isInstanceOf(BroadcastException.class).hasMessageContaining("at field 'bad'");
    assertThat(serializer.serialize(Map.of("b", 2), Order.class)).isEqualTo("{\"b\":2}");
  }

  @Test
  void aPayloadSerializedWhileAnotherIsBeingWrittenGetsAGeneratorOfItsOwn() {
    PayloadSerializer serializer = new PayloadSerializer(PayloadSerializer.defaultMapper());
    assertThat(serializer.serialize(new Nested(serializer), Nested.class))
        .isEqualTo("{\"inner\":\"{\\\"inner\\\":1}\"}");
    assertThat(serializer.serialize(Map.of("c", 3), Order.class)).isEqualTo("{\"c\":3}");
  }
}
