package dev.broadcasting.ably.internal;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Ably capabilities in canonical JSON: resources sorted, each resource's operations sorted and
 * without duplicates, no white space. Two equal grants then give the same string, and so the same
 * TokenRequest mac.
 */
public final class Capabilities {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private Capabilities() {}

  public static TreeMap<String, TreeSet<String>> canonical(Map<String, ? extends Collection<String>> grants) {
    TreeMap<String, TreeSet<String>> out = new TreeMap<>();
    grants.forEach((resource, operations) -> {
      if (resource == null || resource.isEmpty()) {
        throw new IllegalArgumentException("a capability's channel (resource) must not be empty");
      }
      if (operations == null || operations.isEmpty()) {
        throw new IllegalArgumentException("capability for \"" + resource + "\" lists no operations; "
            + "give at least one, such as \"subscribe\"");
      }
      out.computeIfAbsent(resource, r -> new TreeSet<>()).addAll(operations);
    });
    return out;
  }

  public static String toJson(Map<String, ? extends Collection<String>> grants) {
    try {
      return MAPPER.writeValueAsString(canonical(grants));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Parses a capability JSON object, or returns null when it is not one. */
  public static TreeMap<String, TreeSet<String>> parse(String json) {
    try {
      Map<String, List<String>> grants = MAPPER.readValue(json, new TypeReference<Map<String, List<String>>>() {});
      return grants == null ? null : canonical(grants);
    } catch (Exception malformed) {
      return null;
    }
  }
}
