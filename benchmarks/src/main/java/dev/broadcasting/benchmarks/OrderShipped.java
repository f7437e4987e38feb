package dev.broadcasting.benchmarks;

import dev.broadcasting.Channel;
import dev.broadcasting.PrivateChannel;
import dev.broadcasting.ShouldBroadcast;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * The 5-field event every core benchmark broadcasts, on {@code private-orders.<orderId>}. The
 * channel lists of the first {@value #CHANNEL_COUNT} order ids are built once, so that the
 * benchmarks measure the library and not {@code Channel}'s name validation; {@link Now} is the same
 * record sent on the caller's thread.
 */
public record OrderShipped(long orderId, String carrier, String trackingCode, int parcels, double weightKg)
    implements ShouldBroadcast {
  public static final int CHANNEL_COUNT = 1024;
  private static final List<List<Channel>> CHANNELS = IntStream.range(0, CHANNEL_COUNT)
      .mapToObj(id -> List.<Channel>of(new PrivateChannel("orders." + id)))
      .collect(Collectors.toUnmodifiableList());

  public static OrderShipped sample() {
    return sample(42);
  }

  /** The sample order with id {@code orderId}, which must be below {@value #CHANNEL_COUNT}. */
  public static OrderShipped sample(int orderId) {
    return new OrderShipped(orderId, "UPS", "1Z999AA10123456784", 3, 12.5);
  }

  @Override
  public List<Channel> broadcastOn() {
    return CHANNELS.get((int) orderId);
  }

  /** {@link OrderShipped} as a {@link dev.broadcasting.ShouldBroadcastNow}: no queue, the caller's thread. */
  public record Now(long orderId, String carrier, String trackingCode, int parcels, double weightKg)
      implements dev.broadcasting.ShouldBroadcastNow {
    public static Now sample() {
      return new Now(42L, "UPS", "1Z999AA10123456784", 3, 12.5);
    }

    @Override
    public String broadcastAs() {
      return "OrderShipped";
    }

    @Override
    public List<Channel> broadcastOn() {
      return CHANNELS.get((int) orderId);
    }
  }
}
