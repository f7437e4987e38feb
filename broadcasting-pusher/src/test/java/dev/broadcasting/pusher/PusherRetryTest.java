package dev.broadcasting.pusher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.broadcasting.BroadcastException;
import dev.broadcasting.Broadcaster;
import dev.broadcasting.Channel;
import dev.broadcasting.RetryPolicy;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** How Pusher's answers drive core's retries, through a real Broadcaster. */
class PusherRetryTest {
  private PusherPeer peer;
  private Broadcaster broadcaster;

  @BeforeEach
  void start() throws Exception {
    peer = new PusherPeer();
    broadcaster = Broadcaster.builder()
        .connection("pusher", peer.driver().build())
        .retry(RetryPolicy.builder().maxAttempts(3).baseDelay(Duration.ofMillis(10)).maxDelay(Duration.ofMillis(20))
            .build())
        .build();
  }

  @AfterEach
  void stop() {
    broadcaster.close();
    peer.close();
  }

  @Test
  void aServerErrorIsRetriedAndTheEventSentOnce() throws Exception {
    peer.answer(500, "oops");
    peer.answer(502, "bad gateway");

    broadcaster.on(new Channel("orders")).as("Shipped").with(Map.of("id", 1)).send().get(10, TimeUnit.SECONDS);

    assertThat(peer.takeSigned().json().get("name").asText()).isEqualTo("Shipped");
    assertThat(peer.takeSigned().json().get("name").asText()).isEqualTo("Shipped");
    PusherPeer.Received accepted = peer.takeSigned();
    assertThat(accepted.json().get("data").asText()).isEqualTo("{\"id\":1}");
    assertThat(peer.poll(200)).isNull();
    assertThat(peer.requestCount()).isEqualTo(3);
  }

  @Test
  void aClientErrorIsNotRetried() throws Exception {
    peer.answer(413, "Payload too large");

    Throwable thrown = catchThrowable(() ->
        broadcaster.on(new Channel("orders")).as("Shipped").with(Map.of("id", 1)).send().get(10, TimeUnit.SECONDS));

    assertThat(thrown).isInstanceOf(ExecutionException.class);
    BroadcastException error = (BroadcastException) thrown.getCause();
    assertThat(error.httpStatus()).isEqualTo(413);
    assertThat(error.isRetryable()).isFalse();
    assertThat(error.getMessage()).contains("Payload too large").contains("1 attempt");
    assertThat(peer.poll(200)).isNotNull();
    assertThat(peer.poll(200)).isNull();
  }
}
