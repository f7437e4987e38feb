package dev.broadcasting.queue.redis;

import java.time.Instant;
import java.util.List;

/**
 * An event in the failed stream: it failed for good (or could not be read), was reported to the
 * failure handler, and waits there to be retried or forgotten, as Laravel's {@code queue:failed}
 * lists them.
 *
 * <pre>{@code
 * for (FailedEvent failed : queue.listFailed(100)) {
 *   if (failed.reason().contains("NOPERM")) queue.retryFailed(failed.id());
 * }
 * }</pre>
 *
 * @param id the entry id in the failed stream, what {@code retryFailed} and {@code forgetFailed} take
 * @param messageId the broadcast's message id, the same on every delivery
 * @param payload the payload as broadcast; left out of {@link #toString()}
 */
public record FailedEvent(String id, String messageId, String connection, String event, List<String> channels,
    String payload, String reason, Instant failedAt) {

  @Override
  public String toString() {
    return "FailedEvent{id=" + id + ", messageId=" + messageId + ", connection=" + connection + ", event=" + event
        + ", channels=" + channels + ", payloadChars=" + (payload == null ? 0 : payload.length()) + ", reason="
        + reason + ", failedAt=" + failedAt + "}";
  }
}
