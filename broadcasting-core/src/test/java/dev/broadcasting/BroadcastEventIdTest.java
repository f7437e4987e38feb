package dev.broadcasting;

import static org.assertj.core.api.Assertions.assertThat;

import dev.broadcasting.BroadcastGateTest.Posted;
import dev.broadcasting.spi.BroadcastMessage;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A listener's event and the driver's message of one broadcast share one id. */
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
}
