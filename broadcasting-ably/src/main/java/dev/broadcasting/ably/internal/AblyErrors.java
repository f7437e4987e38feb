package dev.broadcasting.ably.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.broadcasting.BroadcastException;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns Ably's answers into {@link BroadcastException}s carrying Ably's error code, and says which
 * of them core may retry: server errors and rate limits, never a request Ably refused as such.
 */
public final class AblyErrors {
  /** Ably's code for a batch request where some items failed. */
  public static final int BATCH_PARTIAL_FAILURE = 40020;
  /** Ably's code for a message over the size limit. */
  public static final int MESSAGE_TOO_LARGE = 40009;

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private AblyErrors() {}

  /** The error of a non-2xx answer: {@code {"error":{"code","message","statusCode"}}}, or the bare HTTP status. */
  public static BroadcastException refused(String what, AblyRestClient.Answer answer) {
    JsonNode error = parse(answer.body()).path("error");
    int code = error.path("code").asInt(0);
    String message = error.path("message").asText("");
    StringBuilder text = new StringBuilder(what).append(" was refused by Ably (").append(answer.host())
        .append("): HTTP ").append(answer.status());
    if (code != 0) {
      text.append(", code ").append(code);
    }
    if (!message.isEmpty()) {
      text.append(": ").append(message);
    }
    text.append(hint(code, answer.status()));
    return new BroadcastException(text.toString(), null, retryable(answer.status()), answer.status(), code);
  }

  /**
   * The error of a batch publish where some channels failed (HTTP 400, code 40020): names every
   * failed channel with its own error. Retryable when one of them failed on Ably's side, since the
   * idempotent ids make the channels that succeeded ignore the second copy.
   */
  public static BroadcastException partialFailure(String what, AblyRestClient.Answer answer) {
    JsonNode items = batchItems(parse(answer.body()));
    List<String> failed = new ArrayList<>();
    boolean retryable = false;
    for (JsonNode item : flatten(items)) {
      JsonNode error = item.get("error");
      if (error == null || error.isNull()) {
        continue;
      }
      int status = error.path("statusCode").asInt(0);
      retryable |= retryable(status);
      failed.add(item.path("channel").asText("?") + " (" + error.path("code").asInt(status) + ": "
          + error.path("message").asText("no message") + ")");
    }
    String text = what + " partly failed: Ably published to some channels but not to " + failed.size()
        + (failed.size() == 1 ? " channel: " : " channels: ") + String.join(", ", failed);
    return new BroadcastException(text, null, retryable, answer.status(), BATCH_PARTIAL_FAILURE);
  }

  /**
   * The error Ably gave {@code channel} in a batch answer that partly failed, or null when Ably
   * published to it. Retryable when Ably's side failed; the idempotent ids make a second copy harmless.
   */
  public static BroadcastException channelFailure(String what, AblyRestClient.Answer answer, String channel) {
    for (JsonNode item : flatten(batchItems(parse(answer.body())))) {
      JsonNode error = item.get("error");
      if (error == null || error.isNull() || !channel.equals(item.path("channel").asText())) {
        continue;
      }
      int status = error.path("statusCode").asInt(0);
      int code = error.path("code").asInt(status);
      return new BroadcastException(what + " partly failed: Ably did not publish to channel " + channel + " ("
          + code + ": " + error.path("message").asText("no message") + ")", null, retryable(status), status, code);
    }
    return null;
  }

  /** True when a 2xx batch answer still lists a channel with an error (the newer BatchResult shape). */
  public static boolean hasFailedItems(AblyRestClient.Answer answer) {
    JsonNode root = parse(answer.body());
    for (JsonNode item : flatten(root.isArray() ? root : root.path("results"))) {
      JsonNode error = item.get("error");
      if (error != null && !error.isNull()) {
        return true;
      }
    }
    return false;
  }

  /** True for Ably's code 40020 on an HTTP 400. */
  public static boolean isPartialFailure(AblyRestClient.Answer answer) {
    return answer.status() == 400 && parse(answer.body()).path("error").path("code").asInt(0) == BATCH_PARTIAL_FAILURE;
  }

  /** Where a batch answer lists its per-channel results: 40020's {@code batchResponse}, or the BatchResults. */
  private static JsonNode batchItems(JsonNode root) {
    return root.has("batchResponse") ? root.get("batchResponse")
        : root.path("error").has("batchResponse") ? root.path("error").get("batchResponse")
        : root.has("results") ? root.get("results") : root;
  }

  /** Worth sending again later: Ably's side failed, or it asked us to slow down. */
  static boolean retryable(int httpStatus) {
    return httpStatus >= 500 || httpStatus == 429;
  }

  private static String hint(int code, int status) {
    if (status == 401 || (code >= 40100 && code < 40200)) {
      return ". Check ABLY_KEY: copy the key from the Ably dashboard, with a capability to publish on these channels";
    }
    if (code == MESSAGE_TOO_LARGE) {
      return ". Send less data in the event, or raise maxMessageSize if your Ably plan allows larger messages";
    }
    return "";
  }

  private static List<JsonNode> flatten(JsonNode items) {
    List<JsonNode> out = new ArrayList<>();
    if (items != null && items.isArray()) {
      for (JsonNode item : items) {
        if (item.isArray()) {
          out.addAll(flatten(item));
        } else if (item.has("results")) {
          out.addAll(flatten(item.get("results")));
        } else {
          out.add(item);
        }
      }
    }
    return out;
  }

  private static JsonNode parse(String body) {
    try {
      JsonNode node = MAPPER.readTree(body);
      return node == null ? MAPPER.missingNode() : node;
    } catch (Exception notJson) {
      return MAPPER.missingNode();
    }
  }
}
