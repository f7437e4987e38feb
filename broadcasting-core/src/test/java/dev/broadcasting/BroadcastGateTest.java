package dev.broadcasting;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A gate holds broadcasts back until it lets them in, or turns them away without a delivery failure. */
class BroadcastGateTest {
  private final BroadcasterTest.RecordingDriver driver = new BroadcasterTest.RecordingDriver();
  private final List<Supplier<CompletableFuture<Void>>> held = new ArrayList<>();
  private final List<List<BroadcastEvent>> asked = new ArrayList<>();
  private final List<FailedBroadcast> failures = new ArrayList<>();
  private final List<FailedBroadcast> heardFailed = new ArrayList<>();
  private final CompletableFuture<Void> decided = new CompletableFuture<>();
  private final Broadcaster broadcaster = Broadcaster.builder()
      .connection("recording", driver)
      .synchronous()
      .onFailure(failures::add)
      .listener(new BroadcastListener() {
        @Override
        public void onFailed(FailedBroadcast failure) {
          heardFailed.add(failure);
        }
      })
      .gate((events, dispatch) -> {
        asked.add(events);
        held.add(dispatch);
        return decided;
      })
      .build();

  record Posted(String text) implements ShouldBroadcast {
    @Override
    public List<Channel> broadcastOn() {
      return List.of(new Channel("room"));
    }
  }

  @AfterEach
  void close() {
    broadcaster.close();
  }

  @Test
  void aHeldBroadcastIsSentOnlyWhenTheGateDispatchesIt() {
    CompletableFuture<Void> sent = broadcaster.broadcastAll(List.of(new Posted("a"), new Posted("b")));

    assertThat(driver.messages()).isEmpty();
    assertThat(asked).hasSize(1);
    assertThat(asked.get(0)).extracting(BroadcastEvent::payload)
        .containsExactly("{\"text\":\"a\"}", "{\"text\":\"b\"}");
    assertThat(sent).isNotDone();

    held.get(0).get().whenComplete((ok, error) -> decided.complete(null));

    assertThat(driver.messages()).extracting(message -> message.payload())
        .containsExactly("{\"text\":\"a\"}", "{\"text\":\"b\"}");
    assertThat(sent).isCompleted();
  }

  @Test
  void aBroadcastTheGateTurnsAwayIsCancelledAndIsNoDeliveryFailure() {
    CompletableFuture<Void> sent = broadcaster.broadcast(new Posted("a"));

    decided.completeExceptionally(new CancellationException("the transaction rolled back"));

    assertThat(sent).isCancelled();
    assertThat(driver.messages()).isEmpty();
    assertThat(failures).isEmpty();
    assertThat(heardFailed).isEmpty();
  }

  @Test
  void aWrongBroadcastFailsOnTheCallersThreadBeforeTheGateIsAsked() {
    assertThatThrownBy(() -> broadcaster.via("nowhere").broadcast(new Posted("a")))
        .isInstanceOf(BroadcastException.class)
        .hasMessageContaining("'nowhere'");
    assertThat(asked).isEmpty();
  }

  @Test
  void theBuilderRefusesNoGate() {
    assertThatThrownBy(() -> Broadcaster.builder().gate(null)).isInstanceOf(NullPointerException.class)
        .hasMessage("gate");
  }
}
