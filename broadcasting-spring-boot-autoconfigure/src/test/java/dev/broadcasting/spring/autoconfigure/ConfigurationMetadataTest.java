package dev.broadcasting.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The metadata the configuration processor writes into the jar, which IDEs complete the
 * {@code broadcasting.*} properties from: every property described, and the connection names hinted.
 */
class ConfigurationMetadataTest {

  private static JsonNode metadata() throws Exception {
    try (InputStream in = BroadcastingProperties.class.getResourceAsStream(
        "/META-INF/spring-configuration-metadata.json")) {
      assertThat(in).as("META-INF/spring-configuration-metadata.json, written by spring-boot-configuration-processor")
          .isNotNull();
      return new ObjectMapper().readTree(in);
    }
  }

  @Test
  void everyPropertyIsThereWithADescription() throws Exception {
    List<String> names = new ArrayList<>();
    List<String> undescribed = new ArrayList<>();
    for (JsonNode property : metadata().get("properties")) {
      String name = property.get("name").asText();
      names.add(name);
      if (property.path("description").asText("").isBlank()) {
        undescribed.add(name);
      }
    }
    assertThat(names).contains("broadcasting.default-connection", "broadcasting.connections",
        "broadcasting.pusher.secret", "broadcasting.queue.capacity", "broadcasting.retry.max-attempts",
        "broadcasting.auth.path", "broadcasting.server.enabled", "broadcasting.queue.store",
        "broadcasting.queue.redis.url", "broadcasting.queue.redis.partitions", "broadcasting.queue.redis.lease-ttl",
        "broadcasting.server.history", "broadcasting.server.max-history-channels", "broadcasting.redis.ca-file",
        "broadcasting.redis.trust-store", "broadcasting.redis.trust-store-password", "broadcasting.redis.publish-socket");
    assertThat(undescribed).as("properties without a description").isEmpty();
  }

  private static List<String> hinted(String property) throws Exception {
    List<String> values = new ArrayList<>();
    for (JsonNode hint : metadata().get("hints")) {
      if (hint.get("name").asText().equals(property)) {
        hint.get("values").forEach(value -> values.add(value.get("value").asText()));
      }
    }
    return values;
  }

  @Test
  void theDefaultConnectionIsHintedWithTheDriverNames() throws Exception {
    assertThat(hinted("broadcasting.default-connection")).containsExactly("pusher", "redis", "ably", "server", "log",
        "null");
  }

  @Test
  void theQueueStoreIsHintedWithTheQueues() throws Exception {
    assertThat(hinted("broadcasting.queue.store")).containsExactly("memory", "redis");
  }
}
