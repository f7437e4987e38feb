package dev.broadcasting.testing;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.broadcasting.Broadcaster;
import dev.broadcasting.Channel;
import dev.broadcasting.PrivateChannel;
import dev.broadcasting.ShouldBroadcast;
import java.util.List;
import org.junit.jupiter.api.Test;

class BroadcastFakeTest {
  record Shipped(long id, String carrier) implements ShouldBroadcast {
    @Override
    public List<Channel> broadcastOn() {
      return List.of(new PrivateChannel("orders." + id));
    }
  }

  record Other() implements ShouldBroadcast {
    @Override
    public List<Channel> broadcastOn() {
      return List.of(new Channel("other"));
    }
  }

  @Test
  void assertionsPassOnWhatWasBroadcastAndFailWithAListOtherwise() {
    BroadcastFake fake = new BroadcastFake();
    fake.assertNothingBroadcast();
    try (Broadcaster broadcaster = fake.broadcaster()) {
      broadcaster.broadcast(new Shipped(1, "UPS"));
      broadcaster.broadcast(new Shipped(2, "DHL"));
    }
    assertThatCode(() -> {
      fake.assertBroadcast(Shipped.class);
      fake.assertBroadcast(Shipped.class, e -> e.carrier().equals("DHL"));
      fake.assertBroadcastTimes(Shipped.class, 2);
      fake.assertBroadcastOn(new PrivateChannel("orders.2"), Shipped.class);
      fake.assertNotBroadcast(Other.class);
    }).doesNotThrowAnyException();

    assertThatThrownBy(() -> fake.assertBroadcast(Other.class)).isInstanceOf(AssertionError.class)
        .hasMessageContaining("Other to be broadcast").hasMessageContaining("Shipped on [private-orders.1]");
    assertThatThrownBy(() -> fake.assertBroadcast(Shipped.class, e -> e.id() == 3)).isInstanceOf(AssertionError.class);
    assertThatThrownBy(() -> fake.assertBroadcastTimes(Shipped.class, 1))
        .hasMessageContaining("broadcast 1 times, but it was broadcast 2 times");
    assertThatThrownBy(() -> fake.assertBroadcastOn(new PrivateChannel("orders.3"), Shipped.class))
        .isInstanceOf(AssertionError.class);
    assertThatThrownBy(() -> fake.assertNotBroadcast(Shipped.class)).isInstanceOf(AssertionError.class);
    assertThatThrownBy(fake::assertNothingBroadcast).hasMessageContaining("2 events were");
    fake.clear();
    fake.assertNothingBroadcast();
  }
}
