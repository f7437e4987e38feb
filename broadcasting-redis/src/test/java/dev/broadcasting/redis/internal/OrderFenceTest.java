package dev.broadcasting.redis.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.broadcasting.BroadcastException;
import dev.broadcasting.Channel;
import dev.broadcasting.spi.BroadcastMessage;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The fence's rules, on a clock the test moves: what is held back, what lifts it, and its bounds. */
class OrderFenceTest {
  private long now = 1_000_000;
  private final OrderFence fence = new OrderFence("localhost:6379", () -> now);

  @Test
  void aFailedMessageHoldsItsChannelUntilItIsSentAgain() {
    BroadcastMessage failed = message("room");
    BroadcastMessage next = message("room");
    fence.failed(failed, fence.next());

    BroadcastException refused = fence.admit(next, fence.next());
    assertThat(refused.isRetryable()).isTrue();
    assertThat(refused).hasMessage("Held back to keep the order of channel 'room': an earlier publish on it to "
        + "Redis at localhost:6379 failed and has not been sent again yet");
    assertThat(fence.admit(next, fence.next())).as("refused again: only the failed message opens the channel")
        .isNotNull();
    assertThat(fence.admit(message("lobby"), fence.next())).as("other channels are not held").isNull();

    assertThat(fence.admit(failed, fence.next())).isNull();
    assertThat(fence.admit(next, fence.next())).isNull();
  }

  @Test
  void failuresReportedOutOfOrderAreRankedByTheOrderTheyWereSent() {
    BroadcastMessage earlier = message("room");
    long earlierAttempt = fence.next();
    BroadcastMessage later = message("room");
    long laterAttempt = fence.next();
    fence.failed(later, laterAttempt); // refused at once by lettuce
    fence.failed(earlier, earlierAttempt); // written before, failed a moment later as the connection dropped

    assertThat(fence.admit(later, fence.next())).isNotNull();
    assertThat(fence.admit(earlier, fence.next())).isNull();
    assertThat(fence.admit(later, fence.next())).isNull();
  }

  @Test
  void aLateReportOfAnOldAttemptDoesNotPutAFollowerAheadOfAMessageThatFailedAgain() {
    BroadcastMessage head = message("room");
    BroadcastMessage follower = message("room");
    fence.failed(head, fence.next());
    long followerAttempt = fence.next(); // sent behind it; lettuce reports its failure only later
    assertThat(fence.admit(head, fence.next())).isNull(); // core resends the head: the fence lifts
    fence.failed(head, fence.next()); // and it fails again
    fence.failed(follower, followerAttempt);

    assertThat(fence.admit(follower, fence.next())).as("the head still comes first").isNotNull();
    assertThat(fence.admit(head, fence.next())).isNull();
    assertThat(fence.admit(follower, fence.next())).isNull();
  }

  @Test
  void aDeliveredMessageIsForgottenAndAFailureAfterItRanksAnew() {
    BroadcastMessage message = message("room");
    fence.failed(message, fence.next());
    assertThat(fence.admit(message, fence.next())).isNull();
    fence.delivered(message);
    BroadcastMessage earlier = message("room");
    long earlierAttempt = fence.next();

    fence.failed(message, fence.next()); // delivered before, so this is a new failure, ranked now
    fence.failed(earlier, earlierAttempt);

    assertThat(fence.admit(message, fence.next())).isNotNull();
    assertThat(fence.admit(earlier, fence.next())).isNull();
  }

  @Test
  void aChannelWhoseFailedMessageWasGivenUpOpensAfterTheHoldTime() {
    fence.failed(message("room"), fence.next());
    BroadcastMessage next = message("room");
    assertThat(fence.admit(next, fence.next())).isNotNull();

    now += TimeUnit.MILLISECONDS.toNanos(OrderFence.HOLD_MILLIS - 1);
    assertThat(fence.admit(next, fence.next())).as("refusals do not renew the hold").isNotNull();
    now += TimeUnit.MILLISECONDS.toNanos(1);
    assertThat(fence.admit(next, fence.next())).isNull();
    assertThat(fence.admit(message("room"), fence.next())).isNull();
  }

  @Test
  void anotherFailureOnTheChannelRenewsTheHold() {
    BroadcastMessage first = message("room");
    fence.failed(first, fence.next());
    now += TimeUnit.MILLISECONDS.toNanos(OrderFence.HOLD_MILLIS - 1);
    fence.failed(message("room"), fence.next());
    now += TimeUnit.MILLISECONDS.toNanos(OrderFence.HOLD_MILLIS - 1);

    assertThat(fence.admit(message("room"), fence.next())).isNotNull();
    assertThat(fence.admit(first, fence.next())).as("the earliest failed message still opens it").isNull();
  }

  @Test
  void aMessageOnSeveralChannelsWaitsForEveryFenceAndHoldsTheChannelsItWasRefusedOn() {
    BroadcastMessage failed = message("a");
    BroadcastMessage both = message("a", "b");
    BroadcastMessage onB = message("b");
    fence.failed(failed, fence.next());

    assertThat(fence.admit(both, fence.next())).hasMessageContaining("channel 'a'");
    assertThat(fence.admit(onB, fence.next())).as("b now waits for the refused message")
        .hasMessageContaining("channel 'b'");

    assertThat(fence.admit(failed, fence.next())).isNull();
    assertThat(fence.admit(both, fence.next())).isNull();
    assertThat(fence.admit(onB, fence.next())).isNull();
  }

  @Test
  void atMostTenThousandChannelsAreFencedAndTheOldestFenceGoesFirst() {
    for (int i = 0; i <= OrderFence.MAX_CHANNELS; i++) {
      fence.failed(message("channel." + i), fence.next());
    }

    assertThat(fence.admit(message("channel.0"), fence.next())).as("dropped").isNull();
    assertThat(fence.admit(message("channel.1"), fence.next())).isNotNull();
    assertThat(fence.admit(message("channel." + OrderFence.MAX_CHANNELS), fence.next())).isNotNull();
  }

  private static BroadcastMessage message(String... channels) {
    return BroadcastMessage.of("Tick", Stream.of(channels).map(Channel::new).toList(), "{}");
  }
}
