package dev.broadcasting;

import java.util.List;
import java.util.Objects;

/**
 * One broadcast as the application sees it, in listener callbacks, failure reports and the testing
 * fake: the event name, its channels, the payload as sent, the client left out, and the event
 * object it came from. Drivers see {@link dev.broadcasting.spi.BroadcastMessage} instead, so the
 * two can change apart.
 *
 * <pre>{@code
 * .onFailure(failed -> deadLetters.save(failed.event().name(), failed.event().payload()))
 * }</pre>
 *
 * @param id the id of this broadcast, the driver's {@link dev.broadcasting.spi.BroadcastMessage#id()}:
 *     it links a listener's callbacks to the message a driver publishes, and is kept across retries
 * @param name the event name clients listen for
 * @param channels the channels, each once
 * @param payload the payload as JSON object text, serialized once
 * @param socketId the client left out ({@code toOthers}), or null
 * @param source the {@link ShouldBroadcast} object, or null for an anonymous broadcast
 */
public record BroadcastEvent(String id, String name, List<Channel> channels, String payload, String socketId, Object source) {

  public BroadcastEvent {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(name, "name");
    channels = List.copyOf(channels);
    Objects.requireNonNull(payload, "payload");
  }

  /** The event's class name, or the event name of an anonymous broadcast: for log lines and errors. */
  public String describe() {
    return source == null ? "anonymous event '" + name + "'" : source.getClass().getName();
  }

  /** The payload's length, never its content: payloads may hold personal data. */
  @Override
  public String toString() {
    return "BroadcastEvent{id=" + id + ", name=" + name + ", channels=" + channels + ", payloadChars=" + payload.length()
        + (socketId == null ? "" : ", socketId=" + socketId) + "}";
  }
}
