package dev.broadcasting.benchmarks;

import dev.broadcasting.Channel;
import dev.broadcasting.PrivateChannel;
import dev.broadcasting.ShouldBroadcast;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * The queued event of the #15 goals: {@code OrderShipped} with a payload of exactly 200 bytes,
 * {@code {"text":"xxx…"}} (the {@link Payloads#json} the peers send), on {@code private-orders.<channel>}.
 *
 * <pre>{@code broadcaster.broadcast(new GoalEvent(i % 64));}</pre>
 *
 * @param channel which of the first {@value #CHANNELS} channels the event goes to
 */
record GoalEvent(int channel) implements ShouldBroadcast {
  static final int CHANNELS = 1024;
  static final int PAYLOAD_BYTES = 200;
  /** The payload's only field, sized so that the serialized payload is {@value #PAYLOAD_BYTES} bytes. */
  static final String TEXT = "x".repeat(PAYLOAD_BYTES - "{\"text\":\"\"}".length());
  private static final List<List<Channel>> ON = IntStream.range(0, CHANNELS)
      .mapToObj(id -> List.<Channel>of(new PrivateChannel("orders." + id)))
      .collect(Collectors.toUnmodifiableList());

  static String channelName(int channel) {
    return "private-orders." + channel;
  }

  @Override
  public List<Channel> broadcastOn() {
    return ON.get(channel);
  }

  @Override
  public String broadcastAs() {
    return "OrderShipped";
  }

  @Override
  public Object broadcastWith() {
    return Map.of("text", TEXT);
  }
}
