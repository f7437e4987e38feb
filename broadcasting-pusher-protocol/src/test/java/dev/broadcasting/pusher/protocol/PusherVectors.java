package dev.broadcasting.pusher.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.InputStream;

/**
 * The documented vectors of {@code shared/vectors/pusher.json}, copied as they stand into this
 * module's test resources so that the build needs nothing outside the repository.
 */
public final class PusherVectors {
  private static final JsonNode ROOT = load();

  private PusherVectors() {}

  public static JsonNode get(String name) {
    JsonNode node = ROOT.get(name);
    if (node == null) {
      throw new IllegalStateException("pusher.json has no vector " + name);
    }
    return node;
  }

  private static JsonNode load() {
    try (InputStream in = PusherVectors.class.getResourceAsStream("/vectors/pusher.json")) {
      if (in == null) {
        throw new IllegalStateException("vectors/pusher.json is missing from the test resources");
      }
      return new ObjectMapper().readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
