package dev.broadcasting.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.broadcasting.BroadcastException;
import java.util.stream.Collectors;

/** Writes an event's payload as JSON object text, once, and says which field failed when it cannot. */
public final class PayloadSerializer {
  private final ObjectMapper mapper;

  public PayloadSerializer(ObjectMapper mapper) {
    this.mapper = mapper;
  }

  /** The mapper used when the application gives none: modules on the classpath (java.time, ...) registered. */
  public static ObjectMapper defaultMapper() {
    return new ObjectMapper()
        .findAndRegisterModules()
        .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
        .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
  }

  public ObjectMapper mapper() {
    return mapper;
  }

  /**
   * @param eventClass named in error messages
   * @throws BroadcastException when the payload does not serialize, or is not a JSON object
   */
  public String serialize(Object payload, Class<?> eventClass) {
    String json;
    try {
      json = mapper.writeValueAsString(payload);
    } catch (JsonMappingException e) {
      String field = e.getPath().stream()
          .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
          .collect(Collectors.joining("."));
      throw new BroadcastException("The payload of " + eventClass.getName() + " does not serialize"
          + (field.isEmpty() ? "" : " at field '" + field + "'") + ": " + e.getOriginalMessage()
          + ". Make that field serializable by Jackson, mark it @JsonIgnore, or override broadcastWith().", e);
    } catch (JsonProcessingException e) {
      throw new BroadcastException("The payload of " + eventClass.getName() + " does not serialize: "
          + e.getOriginalMessage(), e);
    }
    if (json.isEmpty() || json.charAt(0) != '{') {
      String kind = payload == null ? "null" : payload.getClass().getName();
      throw new BroadcastException("The payload of " + eventClass.getName()
          + " must serialize to a JSON object, but broadcastWith() returned " + kind + " (" + abbreviate(json)
          + "). Return a record, a POJO or a Map.");
    }
    return json;
  }

  private static String abbreviate(String json) {
    return json.length() <= 40 ? json : json.substring(0, 40) + "...";
  }
}
