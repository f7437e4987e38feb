package dev.broadcasting.pusher.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/** Writes the JSON bodies of {@code POST /events} and {@code POST /batch_events}. */
public final class EventBodies {
  private static final JsonFactory JSON = new JsonFactory();

  private EventBodies() {}

  /** One event for a batch: exactly one channel, its own data (encrypted per channel). */
  public record BatchItem(String channel, String name, String data, String socketId) {}

  /** {@code {"name":..,"channels":[..],"data":"<data>","socket_id":..}}, socket_id only when set. */
  public static byte[] trigger(String name, List<String> channels, String data, String socketId) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(data.length() + 64 + channels.size() * 24);
    try (JsonGenerator json = JSON.createGenerator(out)) {
      json.writeStartObject();
      json.writeStringField("name", name);
      json.writeArrayFieldStart("channels");
      for (String channel : channels) {
        json.writeString(channel);
      }
      json.writeEndArray();
      json.writeStringField("data", data);
      if (socketId != null) {
        json.writeStringField("socket_id", socketId);
      }
      json.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** {@code {"batch":[{"channel":..,"name":..,"data":..,"socket_id":..}, ..]}}. */
  public static byte[] batch(List<BatchItem> items) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256 * items.size());
    try (JsonGenerator json = JSON.createGenerator(out)) {
      json.writeStartObject();
      json.writeArrayFieldStart("batch");
      for (BatchItem item : items) {
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
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
