package dev.broadcasting;

import static org.assertj.core.api.Assertions.assertThat;

import dev.broadcasting.BroadcastGateTest.Posted;
import dev.broadcasting.spi.BroadcastDriver;
import dev.broadcasting.spi.BroadcastMessage;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A listener's event and the driver's message of one broadcast share one id, and each broadcast is one event object. */
class BroadcastEventIdTest {

  @Test
  void theEventSeenByListenersCarriesTheIdOfTheMessageTheDriverPublishes() throws Exception {
    BroadcasterTest.RecordingDriver driver = new BroadcasterTest.RecordingDriver();
    List<String> queued = new CopyOnWriteArrayList<>();
    List<String> sent = new CopyOnWriteArrayList<>();
    try (Broadcaster broadcaster = Broadcaster.builder().connection("recording", driver)
        .listener(new BroadcastListener() {
          @Override
          public void onQueued(BroadcastEvent event, String connection, int queueDepth) {
            queued.add(event.id());
          }

          @Override
          public void onSent(BroadcastEvent event, String connection, int attempts, long latencyNanos) {
            sent.add(event.id());
          }
        }).build()) {
      broadcaster.broadcastAll(List.of(new Posted("a"), new Posted("a"))).get(5, TimeUnit.SECONDS);

      List<String> published = driver.messages().stream().map(BroadcastMessage::id).toList();
      assertThat(published).hasSize(2).doesNotHaveDuplicates();
      assertThat(queued).containsExactlyElementsOf(published);
      assertThat(sent).containsExactlyElementsOf(published);
    }
  }

  @Test
  void theGateTheListenersAndTheFailureHandlerSeeOneEventObjectPerBroadcast() throws Exception {
    List<BroadcastEvent> gated = new CopyOnWriteArrayList<>();
    List<BroadcastEvent> seen = new CopyOnWriteArrayList<>();
    List<FailedBroadcast> failed = new CopyOnWriteArrayList<>();
    RefusingDriver refusing = new RefusingDriver();
    try (Broadcaster broadcaster = Broadcaster.builder().connection("refusing", refusing)
        .retry(RetryPolicy.none())
        .gate((events, dispatch) -> {
          gated.addAll(events);
          return dispatch.get();
        })
        .listener(new BroadcastListener() {
          @Override
          public void onQueued(BroadcastEvent event, String connection, int queueDepth) {
            seen.add(event);
          }
        })
        .onFailure(failed::add).build()) {
      broadcaster.broadcastAll(List.of(new Posted("a"), new Posted("b"))).handle((ok, error) -> null)
          .get(5, TimeUnit.SECONDS);
    }
    assertThat(gated).hasSize(2);
    assertThat(seen.get(0)).isSameAs(gated.get(0));
    assertThat(seen.get(1)).isSameAs(gated.get(1));
    assertThat(failed).extracting(FailedBroadcast::event).containsExactly(gated.get(0), gated.get(1));
    assertThat(failed.get(0).event()).isSameAs(gated.get(0));
  }

  /** Refuses every message, for good. */
  static final class RefusingDriver implements BroadcastDriver {
    @Override
    public CompletableFuture<Void> publish(BroadcastMessage message) {
      return CompletableFuture.failedFuture(new BroadcastException("refused", null, false, 400));
    }
  }
}
