package dev.broadcasting.pusher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The documented vectors in {@code shared/vectors/pusher.json}, found beside the work tree (where
 * CI lays {@code shared/}) by walking up from the module's directory.
 */
final class PusherVectors {
  private static final JsonNode ROOT = load();

  private PusherVectors() {}

  static JsonNode get(String name) {
    JsonNode node = ROOT.get(name);
    if (node == null) {
      throw new IllegalStateException("pusher.json has no vector " + name);
    }
    return node;
  }

  private static JsonNode load() {
    String override = System.getProperty("broadcasting.vectors");
    Path start = Path.of(override != null ? override : System.getProperty("user.dir")).toAbsolutePath();
    for (Path dir = start; dir != null; dir = dir.getParent()) {
      for (Path candidate : new Path[] {dir.resolve("shared/vectors/pusher.json"), dir.resolve("vectors/pusher.json"),
          dir.resolve("pusher.json")}) {
        if (Files.isRegularFile(candidate)) {
          try {
            return new ObjectMapper().readTree(candidate.toFile());
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
      }
    }
    throw new IllegalStateException("shared/vectors/pusher.json not found above " + start
        + "; set -Dbroadcasting.vectors=<folder holding it>");
  }
}
