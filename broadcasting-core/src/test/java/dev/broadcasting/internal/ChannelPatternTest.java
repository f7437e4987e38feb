package dev.broadcasting.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.broadcasting.spi.ChannelNames;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/** Property-style checks of the matcher against a model built from the same random segments. */
class ChannelPatternTest {
  private static final String SEGMENT_CHARS = "-abcXYZ019_=@,;";

  @Test
  void capturesByNameAndMatchesTheWholeName() {
    ChannelPattern pattern = ChannelPattern.compile("orders.{orderId}.items");
    assertThat(pattern.match("orders.5.items")).containsExactly(Map.entry("orderId", "5"));
    assertThat(pattern.match("orders.5.items.x")).isNull();
    assertThat(pattern.match("orders..items")).isNull();
    assertThat(pattern.match("orders.5.6.items")).isNull();
    assertThat(ChannelPattern.compile("orders.{id}").match("orders.5.secret")).isNull();
    assertThat(ChannelPattern.compile("a.{x}-{y}").match("a.1-2-3")).isNotNull();
  }

  @Test
  void regexCharactersInLiteralsAreLiteral() {
    ChannelPattern pattern = ChannelPattern.compile("a.b");
    assertThat(pattern.match("a.b")).isEmpty();
    assertThat(pattern.match("axb")).isNull();
  }

  @Test
  void badPatternsAreRefusedWithTheReason() {
    assertThatThrownBy(() -> ChannelPattern.compile("private-chat.{id}"))
        .hasMessageContaining("register it without the prefix, as 'chat.{id}'");
    assertThatThrownBy(() -> ChannelPattern.compile("chat.{id}.{id}")).hasMessageContaining("uses {id} twice");
    assertThatThrownBy(() -> ChannelPattern.compile("chat.{1d}")).hasMessageContaining("brace that is not a parameter");
    assertThatThrownBy(() -> ChannelPattern.compile("chat.{id")).hasMessageContaining("brace");
    assertThatThrownBy(() -> ChannelPattern.compile("")).hasMessageContaining("empty");
  }

  @Test
  void normalizeRemovesTheLongestPrefixFirst() {
    assertThat(ChannelNames.withoutPrefix("private-encrypted-a")).isEqualTo("a");
    assertThat(ChannelNames.withoutPrefix("private-a")).isEqualTo("a");
    assertThat(ChannelNames.withoutPrefix("presence-a")).isEqualTo("a");
    assertThat(ChannelNames.withoutPrefix("a")).isEqualTo("a");
  }

  @RepeatedTest(200)
  void randomPatternsMatchExactlyTheNamesTheirModelAccepts() {
    Random random = new Random();
    int segments = 1 + random.nextInt(5);
    List<Object> model = new ArrayList<>(); // a String literal segment, or an Integer parameter index
    StringBuilder pattern = new StringBuilder();
    for (int i = 0; i < segments; i++) {
      if (i > 0) {
        pattern.append('.');
      }
      if (random.nextBoolean()) {
        pattern.append("{p").append(i).append('}');
        model.add(i);
      } else {
        String literal = randomSegment(random, 1 + random.nextInt(6));
        pattern.append(literal);
        model.add(literal);
      }
    }
    ChannelPattern compiled = ChannelPattern.compile(pattern.toString());

    // a name built from the model matches, and yields the values put in
    Map<String, String> expected = new LinkedHashMap<>();
    List<String> parts = new ArrayList<>();
    for (Object part : model) {
      if (part instanceof Integer) {
        String value = randomSegment(random, 1 + random.nextInt(30));
        expected.put("p" + part, value);
        parts.add(value);
      } else {
        parts.add((String) part);
      }
    }
    String name = String.join(".", parts);
    assertThat(compiled.match(name)).as("%s ~ %s", pattern, name).isEqualTo(expected);

    // an extra segment, an empty segment, a missing segment, or a unicode one never match
    assertThat(compiled.match(name + ".x")).isNull();
    assertThat(compiled.match(name + ".")).isNull();
    assertThat(compiled.match("x." + name)).isNull();
    if (segments > 1) {
      assertThat(compiled.match(name.substring(0, name.lastIndexOf('.')))).isNull();
    }
    int at = random.nextInt(parts.size());
    List<String> emptied = new ArrayList<>(parts);
    emptied.set(at, "");
    assertThat(compiled.match(String.join(".", emptied))).isNull();
    List<String> dotted = new ArrayList<>(parts);
    dotted.set(at, parts.get(at) + ".y");
    assertThat(compiled.match(String.join(".", dotted))).isNull();
    String longName = name + "." + "z".repeat(5_000);
    assertThat(compiled.match(longName)).isNull();
    if (model.get(at) instanceof Integer) {
      List<String> unicode = new ArrayList<>(parts);
      unicode.set(at, "ü€😀");
      assertThat(compiled.match(String.join(".", unicode))).isNotNull(); // a parameter takes any non-dot text
    } else {
      List<String> changed = new ArrayList<>(parts);
      changed.set(at, parts.get(at) + "ü");
      assertThat(compiled.match(String.join(".", changed))).isNull();
    }
  }

  private static String randomSegment(Random random, int length) {
    StringBuilder segment = new StringBuilder();
    for (int i = 0; i < length; i++) {
      segment.append(SEGMENT_CHARS.charAt(random.nextInt(SEGMENT_CHARS.length())));
    }
    return segment.toString();
  }
}
