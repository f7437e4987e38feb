package dev.broadcasting.ably.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.broadcasting.internal.Signatures;
import dev.broadcasting.spi.BroadcastMessage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/**
 * Writes the JSON bodies of Ably's publish endpoints. The payload goes out as Ably's own clients
 * send JSON (RSL4d3): a string in {@code data} with {@code encoding: "json"}.
 */
public final class AblyMessages {
  private static final JsonFactory JSON = new JsonFactory();
  private static final int ID_BYTES = 12;

  private AblyMessages() {}

  /**
   * The base of the idempotent message ids (RSL1k1) of a request whose first message has core id
   * {@code coreId}: base64 of at least 9 bytes. The message at index i of the request gets
   * {@code <base>:<i>}; Ably refuses a request whose messages do not share one base (40031). The
   * bytes come from core's message id, which stays the same on every retry of one broadcast, and a
   * retried batch is grouped the same way, so Ably drops a second copy of a publish whose answer was
   * lost.
   */
  static String baseId(String coreId) {
    byte[] bytes = null;
    try {
      bytes = Base64.getUrlDecoder().decode(coreId);
    } catch (IllegalArgumentException notBase64) {
      // ids made elsewhere than BroadcastMessage.of: hashed below, still deterministic
    }
    if (bytes == null || bytes.length < 9) {
      bytes = Arrays.copyOf(Signatures.sha256(coreId.getBytes(StandardCharsets.UTF_8)), ID_BYTES);
    }
    return Base64.getEncoder().encodeToString(bytes);
  }

  /**
   * The size Ably counts against its message size limit (TO3l8): name, data and client id, in
   * UTF-8 bytes.
   */
  public static long size(BroadcastMessage message, SocketIdentity sender) {
    long size = (long) message.payloadBytes() + utf8Length(message.event());
    if (sender != null && sender.clientId() != null) {
      size += utf8Length(sender.clientId());
    }
    return size;
  }

  /**
   * {@code [{"name":..,"data":"..","encoding":"json","id":"<base>:0"}, .."id":"<base>:1"..]} for
   * {@code POST /channels/{name}/messages}: one or more messages, published in this order.
   */
  public static byte[] channelBody(List<BroadcastMessage> messages, List<SocketIdentity> senders) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(messages.get(0).payloadBytes() + 128);
    try (JsonGenerator json = JSON.createGenerator(out)) {
      json.writeStartArray();
      String base = baseId(messages.get(0).id());
      for (int i = 0; i < messages.size(); i++) {
        writeMessage(json, messages.get(i), senders.get(i), base + ':' + i);
      }
      json.writeEndArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** {@code {"channels":[..],"messages":[{..}]}} for {@code POST /messages} (RSC22c), one spec for at most 100 channels. */
  public static byte[] batchBody(BroadcastMessage message, List<String> channels, SocketIdentity sender) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(message.payloadBytes() + 64 * channels.size() + 128);
    try (JsonGenerator json = JSON.createGenerator(out)) {
      json.writeStartObject();
      json.writeArrayFieldStart("channels");
      for (String channel : channels) {
        json.writeString(channel);
      }
      json.writeEndArray();
      json.writeArrayFieldStart("messages");
      writeMessage(json, message, sender, baseId(message.id()) + ":0");
      json.writeEndArray();
      json.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /**
   * {@code [{"channels":["a"],"messages":[..]},{"channels":["b"],"messages":[..]}]} for
   * {@code POST /messages} (RSC22c): one spec per channel with its messages in order, their ids as
   * {@link #channelBody} gives them, so that a channel's messages keep their ids whichever request
   * carries them.
   */
  public static byte[] specsBody(List<String> channels, List<List<BroadcastMessage>> messages,
      List<List<SocketIdentity>> senders) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(messages.size() * (messages.get(0).get(0).payloadBytes() + 192));
    try (JsonGenerator json = JSON.createGenerator(out)) {
      json.writeStartArray();
      for (int spec = 0; spec < channels.size(); spec++) {
        json.writeStartObject();
        json.writeArrayFieldStart("channels");
        json.writeString(channels.get(spec));
        json.writeEndArray();
        json.writeArrayFieldStart("messages");
        List<BroadcastMessage> ofChannel = messages.get(spec);
        String base = baseId(ofChannel.get(0).id());
        for (int i = 0; i < ofChannel.size(); i++) {
          writeMessage(json, ofChannel.get(i), senders.get(spec).get(i), base + ':' + i);
        }
        json.writeEndArray();
        json.writeEndObject();
      }
      json.writeEndArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static void writeMessage(JsonGenerator json, BroadcastMessage message, SocketIdentity sender, String id)
      throws IOException {
    json.writeStartObject();
    json.writeStringField("name", message.event());
    json.writeStringField("data", message.payload());
    json.writeStringField("encoding", "json");
    json.writeStringField("id", id);
    if (sender != null) {
      json.writeStringField("connectionKey", sender.connectionKey());
      if (sender.clientId() != null) {
        json.writeStringField("clientId", sender.clientId());
      }
    }
    json.writeEndObject();
  }

  private static int utf8Length(String text) {
    return text.getBytes(StandardCharsets.UTF_8).length;
  }
}
