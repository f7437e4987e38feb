package dev.broadcasting.server.internal.history;

import static org.assertj.core.api.Assertions.assertThat;

import dev.broadcasting.server.App;
import dev.broadcasting.server.HistoryRule;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Size, time-to-live and channel bounds of the memory store, on a clock the test moves. */
class MemoryHistoryStoreTest {
  private long now;
  private final HistoryRule rule = App.builder("1", "k", "s").history("c*", 3, Duration.ofSeconds(10)).build()
      .historyRules().get(0);

  private List<String> append(HistoryStore store, String channel, int count) {
    List<String> sent = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      store.append(channel, rule, "{\"event\":\"e\"}", message -> {
        sent.add(message);
        return 1;
      });
    }
    return sent;
  }

  @Test
  void eventsOlderThanTheTimeToLiveAreNotReplayed() {
    MemoryHistoryStore store = new MemoryHistoryStore(10, () -> now);
    List<String> sent = append(store, "c1", 2);
    assertThat(sent.get(1)).matches("\\{\"event\":\"e\",\"epoch\":\"[0-9a-z]+\",\"offset\":2}");
    String epoch = store.read("c1", rule, null, 0, 10).epoch();
    now += Duration.ofSeconds(9).toNanos();
    append(store, "c1", 1);
    assertThat(store.read("c1", rule, epoch, 0, 10).events()).hasSize(3);
    now += Duration.ofSeconds(2).toNanos();
    assertThat(store.read("c1", rule, epoch, 0, 10).notRecoveredReason()).isEqualTo(Replay.TRIMMED);
    Replay fromTwo = store.read("c1", rule, epoch, 2, 10);
    assertThat(fromTwo.recovered()).isTrue();
    assertThat(fromTwo.events()).singleElement().asString().endsWith("\"offset\":3}");
    now += Duration.ofSeconds(20).toNanos();
    Replay caughtUp = store.read("c1", rule, epoch, 3, 10);
    assertThat(caughtUp.recovered()).as("nothing missed, though nothing is kept").isTrue();
    assertThat(caughtUp.events()).isEmpty();
    assertThat(store.read("c1", rule, epoch, 4, 10).notRecoveredReason()).isEqualTo(Replay.INVALID);
  }

  @Test
  void theSizeBoundKeepsTheLastEvents() {
    MemoryHistoryStore store = new MemoryHistoryStore(10, () -> now);
    append(store, "c1", 5);
    String epoch = store.read("c1", rule, null, 0, 10).epoch();
    assertThat(store.read("c1", rule, epoch, 1, 10).notRecoveredReason()).isEqualTo(Replay.TRIMMED);
    assertThat(store.read("c1", rule, epoch, 2, 10).events()).hasSize(3);
  }

  @Test
  void aForgottenChannelComesBackWithAnotherEpoch() {
    MemoryHistoryStore store = new MemoryHistoryStore(1, () -> now);
    append(store, "c1", 1);
    String epoch = store.read("c1", rule, null, 0, 10).epoch();
    append(store, "c2", 1);
    Replay replay = store.read("c1", rule, epoch, 1, 10);
    assertThat(replay.notRecoveredReason()).isEqualTo(Replay.EPOCH_CHANGED);
    assertThat(replay.epoch()).isNotEqualTo(epoch);
    assertThat(replay.offset()).isZero();
  }

  @Test
  void readsAndJoinsOfChannelsWithoutAStreamCreateNoneAndPushNoChannelOut() {
    MemoryHistoryStore store = new MemoryHistoryStore(2, () -> now);
    append(store, "c1", 1);
    append(store, "c2", 1);
    String c1 = store.read("c1", rule, null, 0, 10).epoch();
    String c2 = store.read("c2", rule, null, 0, 10).epoch();
    Replay unread = store.read("c3", rule, null, 0, 10);
    List<Replay> joined = new ArrayList<>();
    store.join("c4", rule, null, null, () -> true, joined::add);
    store.join("c5", rule, "gone", 4L, () -> true, joined::add);

    assertThat(unread.recovered()).isTrue();
    assertThat(unread.offset()).isZero();
    assertThat(unread.events()).isEmpty();
    assertThat(joined.get(0)).isEqualTo(new Replay(null, unread.epoch(), 0, List.of()));
    assertThat(joined.get(1)).isEqualTo(new Replay(Replay.EPOCH_CHANGED, unread.epoch(), 0, List.of()));
    assertThat(store.read("c3", rule, null, 1, 10).notRecoveredReason()).isEqualTo(Replay.INVALID);
    assertThat(store.read("c1", rule, c1, 0, 10).events()).as("c1 still kept").hasSize(1);
    assertThat(store.read("c2", rule, c2, 0, 10).events()).as("c2 still kept").hasSize(1);
  }

  @Test
  void theStreamMadeAfterAReadGoesOnFromItsPositionUnlessAChannelWasForgottenMeanwhile() {
    MemoryHistoryStore store = new MemoryHistoryStore(1, () -> now);
    String empty = store.read("c1", rule, null, 0, 10).epoch();
    append(store, "c1", 2);
    Replay missed = store.read("c1", rule, empty, 0, 10);
    assertThat(missed.recovered()).isTrue();
    assertThat(missed.events()).hasSize(2);

    String before = store.read("c2", rule, null, 0, 10).epoch();
    append(store, "c3", 1);
    append(store, "c2", 1);
    Replay forgotten = store.read("c2", rule, before, 0, 10);
    assertThat(forgotten.notRecoveredReason()).as("c1 was forgotten meanwhile").isEqualTo(Replay.EPOCH_CHANGED);
    assertThat(forgotten.epoch()).isNotEqualTo(before);
  }
}
