package dev.broadcasting.pusher.internal;

import java.util.List;

/**
 * Writes the JSON bodies of {@code POST /events} and {@code POST /batch_events}, each into one
 * exactly sized array ({@link JsonText}): the request body is the driver's main cost per event.
 * {@code byte[] body = EventBodies.batch(List.of(new BatchItem("orders", "OrderShipped", "{}", null)));}
 */
public final class EventBodies {
  private EventBodies() {}

  /** One event for a batch: exactly one channel, its own data (encrypted per channel). */
  public record BatchItem(String channel, String name, String data, String socketId) {}

  /** {@code {"name":..,"channels":[..],"data":"<data>","socket_id":..}}, socket_id only when set. */
  public static byte[] trigger(String name, List<String> channels, String data, String socketId) {
    int length = JsonText.length("{\"name\":") + JsonText.stringLength(name) + JsonText.length(",\"channels\":[")
        + Math.max(0, channels.size() - 1) + JsonText.length("],\"data\":") + JsonText.stringLength(data)
        + socketIdLength(socketId) + 1;
    for (String channel : channels) {
      length += JsonText.stringLength(channel);
    }
    JsonText json = new JsonText(length).raw("{\"name\":").string(name).raw(",\"channels\":[");
    for (int i = 0; i < channels.size(); i++) {
      (i == 0 ? json : json.raw(",")).string(channels.get(i));
    }
    json.raw("],\"data\":").string(data);
    return socketId(json, socketId).raw("}").bytes();
  }

  /** {@code {"batch":[{"channel":..,"name":..,"data":..,"socket_id":..}, ..]}}. */
  public static byte[] batch(List<BatchItem> items) {
    int length = JsonText.length("{\"batch\":[") + Math.max(0, items.size() - 1) + JsonText.length("]}");
    for (BatchItem item : items) {
      length += JsonText.length("{\"channel\":") + JsonText.stringLength(item.channel())
          + JsonText.length(",\"name\":") + JsonText.stringLength(item.name())
          + JsonText.length(",\"data\":") + JsonText.stringLength(item.data()) + socketIdLength(item.socketId()) + 1;
    }
    JsonText json = new JsonText(length).raw("{\"batch\":[");
    for (int i = 0; i < items.size(); i++) {
      BatchItem item = items.get(i);
      (i == 0 ? json : json.raw(",")).raw("{\"channel\":").string(item.channel())
          .raw(",\"name\":").string(item.name()).raw(",\"data\":").string(item.data());
      socketId(json, item.socketId()).raw("}");
    }
    return json.raw("]}").bytes();
  }

  private static int socketIdLength(String socketId) {
    return socketId == null ? 0 : JsonText.length(",\"socket_id\":") + JsonText.stringLength(socketId);
  }

  private static JsonText socketId(JsonText json, String socketId) {
    return socketId == null ? json : json.raw(",\"socket_id\":").string(socketId);
  }
}
