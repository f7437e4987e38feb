package dev.broadcasting.micrometer;

import static io.micrometer.observation.tck.TestObservationRegistryAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.broadcasting.Channel;
import dev.broadcasting.spi.BroadcastDriver;
import dev.broadcasting.spi.BroadcastMessage;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.tck.TestObservationRegistry;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The observed driver keeps the driver contract: a cancel from core reaches the driver's own request. */
class ObservedBroadcastDriverTest {

  /** A driver whose requests stay open until the test ends them: the part whose cancel is checked. */
  static final class OpenRequests implements BroadcastDriver {
    volatile CompletableFuture<Void> last;

    @Override
    public CompletableFuture<Void> publish(BroadcastMessage message) {
      last = new CompletableFuture<>();
      return last;
    }
  }

  private final TestObservationRegistry observations = TestObservationRegistry.create();
  private final OpenRequests requests = new OpenRequests();
  private final BroadcastDriver observed = BroadcastObservability.create(new SimpleMeterRegistry(), observations)
      .observe("main", "open", requests);

  @Test
  void aCancelOfThePublishCancelsTheDriversRequestAndEndsTheObservationAsAFailure() {
    CompletableFuture<Void> publish = observed.publish(BroadcastMessage.of("Slow", List.of(new Channel("a")), "{}"));
    assertThat(requests.last).isNotDone();
    publish.cancel(true);

    assertThat(requests.last).isCancelled();
    assertThat(observations).hasObservationWithNameEqualTo("broadcasting.publish").that()
        .hasBeenStopped()
        .hasLowCardinalityKeyValue("outcome", "failure")
        .hasLowCardinalityKeyValue("driver", "open");
  }

  @Test
  void aDriversOwnFailureReachesTheCallerUnchanged() {
    CompletableFuture<Void> publish = observed.publish(BroadcastMessage.of("Bad", List.of(new Channel("a")), "{}"));
    IllegalStateException refused = new IllegalStateException("refused by the peer");
    requests.last.completeExceptionally(refused);

    assertThat(publish).isCompletedExceptionally();
    assertThat(publish.handle((ok, error) -> error).join()).isSameAs(refused);
    assertThat(observations).hasObservationWithNameEqualTo("broadcasting.publish").that()
        .hasError(refused)
        .hasLowCardinalityKeyValue("outcome", "failure");
  }
}
