package dev.broadcasting.micrometer;

import static io.micrometer.observation.tck.TestObservationRegistryAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.broadcasting.Broadcaster;
import dev.broadcasting.RetryPolicy;
import dev.broadcasting.ShouldBroadcastNow;
import dev.broadcasting.Channel;
import dev.broadcasting.PrivateChannel;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.tck.TestObservationRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class BroadcastObservabilityTest {
  private static final RetryPolicy FAST = RetryPolicy.builder().maxAttempts(3).baseDelay(Duration.ofMillis(1))
      .maxDelay(Duration.ofMillis(2)).build();

  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private PusherStandIn pusher;
  private Broadcaster broadcaster;

  @BeforeEach
  void start() throws Exception {
    pusher = new PusherStandIn();
  }

  @AfterEach
  void stop() {
    if (broadcaster != null) {
      broadcaster.close();
    }
    pusher.close();
  }

  private Broadcaster broadcaster(BroadcastObservability observability) {
    broadcaster = Broadcaster.builder()
        .connection("main", observability.observe("main", "pusher", pusher.driver()))
        .listener(observability.listener())
        .retry(FAST)
        .build();
    observability.bindTo(broadcaster);
    return broadcaster;
  }

  @Test
  void timesEachPublishTaggedWithConnectionDriverAndOutcome() throws Exception {
    Broadcaster broadcaster = broadcaster(BroadcastObservability.create(meters));

    broadcaster.broadcast(new OrderShipped(1)).get(10, TimeUnit.SECONDS);
    broadcaster.broadcast(new OrderShipped(2)).get(10, TimeUnit.SECONDS);

    assertThat(meters.get("broadcasting.publish").tags("connection", "main", "driver", "pusher", "outcome", "success")
        .timer().count()).isEqualTo(2);
    assertThat(meters.get("broadcasting.delivery").tags("connection", "main", "driver", "pusher").timer().count())
        .isEqualTo(2);
    assertThat(meters.find("broadcasting.publish").tag("outcome", "failure").timer()).isNull();
    assertThat(pusher.paths.poll()).isEqualTo("/apps/3/events");
  }

  @Test
  void countsRetriesAndFailuresAndTimesFailedAttempts() throws Exception {
    BroadcastObservability observability = BroadcastObservability.create(meters);
    Broadcaster broadcaster = broadcaster(observability);
    pusher.answer(503, 200);
    broadcaster.broadcast(new OrderShipped(1)).get(10, TimeUnit.SECONDS);

    pusher.answer(400);
    assertThatThrownBy(() -> broadcaster.broadcast(new OrderShipped(2)).get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class);

    Tags main = Tags.of("connection", "main", "driver", "pusher");
    assertThat(meters.get("broadcasting.retries").tags(main).counter().count()).isEqualTo(1);
    assertThat(meters.get("broadcasting.failures").tags(main).tag("reason", "failed").counter().count()).isEqualTo(1);
    assertThat(meters.get("broadcasting.publish").tags(main).tag("outcome", "failure").timer().count()).isEqualTo(2);
    assertThat(meters.get("broadcasting.publish").tags(main).tag("outcome", "success").timer().count()).isEqualTo(1);

    ConnectionStatus status = observability.status("main");
    assertThat(status.sent()).isEqualTo(1);
    assertThat(status.failed()).isEqualTo(1);
    assertThat(status.reachability()).isEqualTo(ConnectionStatus.Reachability.FAILING);
    assertThat(status.lastError()).contains("OrderShipped").contains("400");
  }

  @Test
  void countsEventsRejectedAtIntake() {
    Broadcaster broadcaster = broadcaster(BroadcastObservability.create(meters));
    broadcaster.close();

    assertThat(broadcaster.broadcast(new OrderShipped(1))).isCompletedExceptionally();

    assertThat(meters.get("broadcasting.failures").tags("connection", "main", "reason", "rejected").counter()
        .count()).isEqualTo(1);
  }

  @Test
  void gaugesTheEventsQueuedOrInFlight() throws Exception {
    Broadcaster broadcaster = broadcaster(BroadcastObservability.create(meters));
    CountDownLatch release = new CountDownLatch(1);
    pusher.hold = release;

    var sent = broadcaster.broadcast(new OrderShipped(1));
    assertThat(pusher.paths.poll(10, TimeUnit.SECONDS)).as("the request reached Pusher").isNotNull();
    assertThat(meters.get("broadcasting.queue.depth").gauge().value()).isEqualTo(1.0);

    release.countDown();
    sent.get(10, TimeUnit.SECONDS);
    // the queue releases the event's room just after completing its future
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (meters.get("broadcasting.queue.depth").gauge().value() != 0.0 && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    assertThat(meters.get("broadcasting.queue.depth").gauge().value()).isEqualTo(0.0);
  }

  @Test
  @SuppressWarnings("try") // the scope makes the observation current for broadcast()
  void publishSpanIsAChildOfTheCallersObservationAcrossTheQueue() throws Exception {
    TestObservationRegistry observations = TestObservationRegistry.create();
    Map<String, String> threads = new ConcurrentHashMap<>();
    observations.observationConfig().observationHandler(new ObservationHandler<PublishContext>() {
      @Override
      public boolean supportsContext(Observation.Context context) {
        return context instanceof PublishContext;
      }

      @Override
      public void onScopeOpened(PublishContext context) {
        threads.put(context.event(), Thread.currentThread().getName());
      }
    });
    BroadcastObservability observability = BroadcastObservability.create(meters, observations);
    Broadcaster broadcaster = broadcaster(observability);

    Observation checkout = Observation.start("checkout", observations);
    try (Observation.Scope scope = checkout.openScope()) {
      broadcaster.broadcast(new OrderShipped(7)).get(10, TimeUnit.SECONDS);
    }
    checkout.stop();

    assertThat(observations)
        .hasNumberOfObservationsWithNameEqualTo("broadcasting.publish", 1)
        .hasObservationWithNameEqualTo("broadcasting.publish").that()
        .hasContextualNameEqualTo("broadcast OrderShipped")
        .hasParentObservationEqualTo(checkout)
        .hasLowCardinalityKeyValue("connection", "main")
        .hasLowCardinalityKeyValue("driver", "pusher")
        .hasLowCardinalityKeyValue("outcome", "success")
        .hasHighCardinalityKeyValue("event", "OrderShipped")
        .hasBeenStarted()
        .hasBeenStopped();
    assertThat(threads.get("OrderShipped")).startsWith("broadcasting-dispatch-");
    assertThat(((BroadcastMetrics) observability.listener()).carriedCount()).isZero();
  }

  @Test
  @SuppressWarnings("try") // the scope makes the observation current for broadcast()
  void anEventSentAtOnceIsAChildOfTheCallersObservationToo() throws Exception {
    TestObservationRegistry observations = TestObservationRegistry.create();
    Broadcaster broadcaster = broadcaster(BroadcastObservability.create(meters, observations));

    Observation request = Observation.start("request", observations);
    try (Observation.Scope scope = request.openScope()) {
      broadcaster.broadcast(new Urgent()).get(10, TimeUnit.SECONDS);
    }
    request.stop();

    assertThat(observations).hasObservationWithNameEqualTo("broadcasting.publish").that()
        .hasParentObservationEqualTo(request)
        .hasLowCardinalityKeyValue("outcome", "success");
  }

  @Test
  void observesEachConnectionOnce() {
    BroadcastObservability observability = BroadcastObservability.create(meters);
    observability.observe("main", "pusher", pusher.driver());

    assertThatThrownBy(() -> observability.observe("main", "redis", pusher.driver()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("connection 'main' is already observed (driver 'pusher')");
  }

  record Urgent() implements ShouldBroadcastNow {
    @Override
    public List<? extends Channel> broadcastOn() {
      return List.of(new PrivateChannel("alerts"));
    }
  }
}
