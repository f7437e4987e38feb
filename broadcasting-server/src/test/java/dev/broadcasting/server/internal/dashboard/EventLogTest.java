package dev.broadcasting.server.internal.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class EventLogTest {
  private final AtomicLong clock = new AtomicLong(1_000);
  private final EventLog log = new EventLog(4, clock::get);

  @Test
  void keepsTheLastEntriesOnlyOldestFirst() {
    for (int i = 1; i <= 10; i++) {
      clock.set(i);
      log.published("Event" + i, "news", "x".repeat(i), null);
    }
    assertThat(log.lastSeq()).isEqualTo(10);
    assertThat(log.since(0, null, null, 100)).extracting(EventLog.Entry::name)
        .containsExactly("Event7", "Event8", "Event9", "Event10");
    assertThat(log.since(8, null, null, 100)).extracting(EventLog.Entry::seq).containsExactly(9L, 10L);
    assertThat(log.since(0, null, null, 1)).extracting(EventLog.Entry::name).containsExactly("Event10");
  }

  @Test
  void filtersByChannelAndKindAndRecordsWhatEachKindCarries() {
    log.published("Shipped", "private-orders.1", "{\"id\":\"é\"}", "12.34");
    log.refused("56.78", "private-orders.2", 401, "AuthError: Invalid signature");
    log.clientEvent("56.78", "presence-room", "client-typing", 40);
    log.webhookFailed("http://hooks.example/x", 3, "HTTP 500; attempt 2 in 1000 ms");

    EventLog.Entry published = log.since(0, null, "published", 10).get(0);
    assertThat(published).isEqualTo(new EventLog.Entry(1, 1_000, "published", "private-orders.1", "12.34", "Shipped",
        11, null));
    assertThat(log.since(0, "orders", null, 10)).extracting(EventLog.Entry::kind)
        .containsExactly("published", "refused");
    assertThat(log.since(0, "orders", "refused", 10)).extracting(EventLog.Entry::detail)
        .containsExactly("401 AuthError: Invalid signature");
    assertThat(log.since(0, null, "webhook-failed", 10)).extracting(EventLog.Entry::detail)
        .containsExactly("3 event(s) to http://hooks.example/x: HTTP 500; attempt 2 in 1000 ms");
    assertThat(log.since(0, "nothing", null, 10)).isEmpty();
  }

  @Test
  void cutsLongTextSoThatTheLogStaysSmall() {
    log.refused("1.2", "x".repeat(60_000), 400, "InvalidChannel: " + "y".repeat(60_000));
    EventLog.Entry entry = log.since(0, null, null, 1).get(0);
    assertThat(entry.channel()).hasSize(EventLog.MAX_FIELD + 1).endsWith("x…");
    assertThat(entry.detail()).hasSize(EventLog.MAX_FIELD + 1).startsWith("400 InvalidChannel: yyy");
  }
}
