package dev.broadcasting.spring.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import org.springframework.test.web.servlet.ResultMatcher;

/** The Pusher documentation's test vectors (shared/vectors/pusher.json). */
final class PusherVectors {
  static final ObjectMapper JSON = new ObjectMapper();
  static final JsonNode ALL = load();
  static final String[] CONNECTION = {
      "broadcasting.default-connection=pusher",
      "broadcasting.pusher.app-id=3",
      "broadcasting.pusher.key=" + ALL.get("private_channel").get("key").asText(),
      "broadcasting.pusher.secret=" + ALL.get("private_channel").get("secret").asText()};

  private PusherVectors() {}

  static JsonNode vector(String name) {
    return ALL.get(name);
  }

  /** The documented answer, as the JSON text a client receives. */
  static String response(String name) {
    return vector(name).get("response").toString();
  }

  /** Matches a response whose body is the same JSON as {@code expected}, whatever the key order. */
  static ResultMatcher jsonBody(String expected) {
    return result -> assertThat(JSON.readTree(result.getResponse().getContentAsString()))
        .isEqualTo(JSON.readTree(expected));
  }

  private static JsonNode load() {
    try (InputStream in = PusherVectors.class.getResourceAsStream("/vectors/pusher.json")) {
      return JSON.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
