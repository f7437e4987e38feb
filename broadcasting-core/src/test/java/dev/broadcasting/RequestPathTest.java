package dev.broadcasting;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.broadcasting.spi.BroadcastDriver;
import dev.broadcasting.spi.BroadcastDriverProvider;
import dev.broadcasting.spi.BroadcastMessage;
import dev.broadcasting.spi.DriverSettings;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Every way in takes one path: ShouldBroadcastNow, broadcastAll and its forms, and bad input at the door. */
class RequestPathTest {
  private final List<FailedBroadcast> failures = new CopyOnWriteArrayList<>();

  record Queued(String n) implements ShouldBroadcast {
    @Override
    public List<Channel> broadcastOn() {
      return List.of(new Channel("shared"));
    }
  }

  record Now(String n) implements ShouldBroadcastNow {
    @Override
    public List<Channel> broadcastOn() {
      return List.of(new Channel("shared"));
    }
  }

  record Patient(String n) implements ShouldBroadcast {
    @Override
    public List<Channel> broadcastOn() {
      return List.of(new Channel("patient"));
    }

    @Override
    public RetryPolicy broadcastRetry() {
      return RetryPolicy.builder().maxAttempts(2).baseDelay(Duration.ofMillis(1)).maxDelay(Duration.ofMillis(1)).build();
    }
  }

  /** Holds the answer to the first message until {@link #release}; records the order of calls. */
  static final class GatedDriver implements BroadcastDriver {
    final CompletableFuture<Void> gate = new CompletableFuture<>();
    final List<String> order = new CopyOnWriteArrayList<>();
    final List<String> socketIds = new CopyOnWriteArrayList<>();

    @Override
    public CompletableFuture<Void> publish(BroadcastMessage message) {
      order.add(message.payload());
      socketIds.add(String.valueOf(message.socketId()));
      return order.size() == 1 ? gate : CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Void> publishAll(List<BroadcastMessage> messages) {
      order.add(messages.stream().map(BroadcastMessage::payload).collect(Collectors.joining("+")));
      messages.forEach(m -> socketIds.add(String.valueOf(m.socketId())));
      return CompletableFuture.completedFuture(null);
    }
  }

  @Test
  void aShouldBroadcastNowEventWaitsBehindTheEventsQueuedBeforeItOnItsChannel() throws Exception {
    GatedDriver driver = new GatedDriver();
    try (Broadcaster broadcaster = Broadcaster.builder().connection("main", driver).build()) {
      CompletableFuture<Void> q1 = broadcaster.broadcast(new Queued("q1"));
      CompletableFuture<Void> n3 = broadcaster.broadcast(new Now("n3"));
      CompletableFuture<Void> q2 = broadcaster.broadcast(new Queued("q2"));
      assertThat(n3).as("Q1 is still in flight: N3 waits for it").isNotDone();
      driver.gate.complete(null);
      CompletableFuture.allOf(q1, n3, q2).get(10, TimeUnit.SECONDS);
    }
    assertThat(driver.order).containsExactly("{\"n\":\"q1\"}", "{\"n\":\"n3\"}", "{\"n\":\"q2\"}");
  }

  @Test
  void broadcastAllHonoursShouldBroadcastNowRetryPoliciesAndToOthersAndVia() throws Exception {
    GatedDriver main = new GatedDriver();
    main.gate.complete(null);
    GatedDriver other = new GatedDriver();
    other.gate.complete(null);
    AtomicInteger patientCalls = new AtomicInteger();
    BroadcastDriver failing = message -> {
      patientCalls.incrementAndGet();
      return CompletableFuture.failedFuture(BroadcastException.retryable("down", null));
    };
    try (Broadcaster broadcaster = Broadcaster.builder().connection("main", main).connection("other", other)
        .connection("failing", failing).defaultConnection("main").onFailure(failures::add).build()) {
      CompletableFuture<Void> now = broadcaster.broadcastAll(List.of(new Now("a"), new Now("b")));
      assertThat(now).as("ShouldBroadcastNow in broadcastAll is sent before it returns").isCompletedWithValue(null);
      broadcaster.toOthers("1.2").via("other").broadcastAll(List.of(new Queued("c"), new Queued("d")))
          .get(10, TimeUnit.SECONDS);
      assertThatThrownBy(() -> broadcaster.via("failing").broadcastAll(List.of(new Patient("p"))).join())
          .hasMessageContaining("after 2 attempts");
    }
    assertThat(main.order).containsExactly("{\"n\":\"a\"}+{\"n\":\"b\"}");
    assertThat(other.order).containsExactly("{\"n\":\"c\"}+{\"n\":\"d\"}");
    assertThat(other.socketIds).containsExactly("1.2", "1.2");
    assertThat(patientCalls).hasValue(2);
    assertThat(failures).hasSize(1);
  }

  @Test
  void aDriverThatReturnsNoFutureFailsTheEventClearly() {
    BroadcastDriver broken = message -> null;
    try (Broadcaster broadcaster = Broadcaster.builder().connection("main", broken).onFailure(failures::add).build()) {
      CompletableFuture<Void> sent = broadcaster.broadcast(new Queued("x"));
      assertThatThrownBy(() -> sent.get(10, TimeUnit.SECONDS))
          .hasMessageContaining("returned no future from publish: a bug in the driver");
    }
    assertThat(failures).hasSize(1);
    assertThat(failures.get(0).attempts()).isEqualTo(1);
  }

  @Test
  void aNullChannelIsNamedWithItsIndex() {
    try (Broadcaster broadcaster = Broadcaster.builder().connection("main", message -> null).build()) {
      assertThatThrownBy(() -> broadcaster.on(Arrays.asList(new Channel("a"), null)))
          .isInstanceOf(BroadcastException.class)
          .hasMessage("on(...) was given a null channel at index 1 of [a, null]: every element must be "
              + "a channel");
    }
  }

  /** A driver found by name whose instances count their close. */
  public static final class ClosingProbe implements BroadcastDriverProvider {
    static final AtomicInteger created = new AtomicInteger();
    static final AtomicInteger closed = new AtomicInteger();

    @Override
    public String name() {
      return "closing-probe";
    }

    @Override
    public BroadcastDriver create(DriverSettings settings) {
      created.incrementAndGet();
      return new BroadcastDriver() {
        @Override
        public CompletableFuture<Void> publish(BroadcastMessage message) {
          return CompletableFuture.completedFuture(null);
        }

        @Override
        public void close() {
          closed.incrementAndGet();
        }
      };
    }
  }

  @Test
  void theDriversABuilderCreatedAreClosedWhenBuildFails() {
    int createdBefore = ClosingProbe.created.get();
    int closedBefore = ClosingProbe.closed.get();
    BroadcastDriver given = new GatedDriver();
    assertThatThrownBy(() -> Broadcaster.builder()
        .connection("a", "closing-probe", Map.of())
        .connection("b", "closing-probe", Map.of())
        .connection("c", given)
        .build()).hasMessageContaining("call defaultConnection");
    assertThat(ClosingProbe.created.get() - createdBefore).isEqualTo(2);
    assertThat(ClosingProbe.closed.get() - closedBefore).isEqualTo(2);
  }
}
