package dev.broadcasting.pusher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.broadcasting.BroadcastException;
import dev.broadcasting.Channel;
import dev.broadcasting.spi.BroadcastMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** publishAll sent again after a {@code batch_events} request of it failed: what Pusher accepted is not sent twice. */
class PusherBatchRetryTest extends AgainstPusherPeer {
  private static final ObjectMapper JSON = new ObjectMapper();
  @Test
  void aRetrySendsOnlyTheRequestsPusherDidNotAccept() throws Exception {
    List<BroadcastMessage> batch = batch(12);
    peer.answer(200, "{}");
    peer.answer(503, "Service Unavailable");

    Throwable failure = catchThrowable(() -> driver.publishAll(batch).get(10, TimeUnit.SECONDS));
    assertThat(failure).isInstanceOf(ExecutionException.class).cause().isInstanceOf(BroadcastException.class);
    assertThat(((BroadcastException) failure.getCause()).isRetryable()).isTrue();
    assertThat(seqs(peer.takeSigned())).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
    assertThat(seqs(peer.takeSigned())).containsExactly(10, 11);

    driver.publishAll(batch).get(10, TimeUnit.SECONDS);
    assertThat(seqs(peer.takeSigned())).as("the retry: only the request that failed").containsExactly(10, 11);
    assertThat(peer.poll(200)).isNull();
    assertThat(peer.requestCount()).isEqualTo(3);

    driver.publishAll(batch).get(10, TimeUnit.SECONDS);
    assertThat(seqs(peer.takeSigned())).as("once accepted whole, the batch is forgotten")
        .containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
    assertThat(seqs(peer.takeSigned())).containsExactly(10, 11);
  }

  @Test
  void theSameEventsUnderNewIdsAreNotSkipped() throws Exception {
    peer.answer(200, "{}");
    peer.answer(503, "Service Unavailable");
    List<BroadcastMessage> first = batch(12);
    assertThat(driver.publishAll(first).handle((ok, error) -> error).get(10, TimeUnit.SECONDS)).isNotNull();
    peer.takeSigned();
    peer.takeSigned();

    driver.publishAll(batch(12)).get(10, TimeUnit.SECONDS);
    assertThat(seqs(peer.takeSigned())).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
    assertThat(seqs(peer.takeSigned())).containsExactly(10, 11);
  }

  private static List<BroadcastMessage> batch(int size) {
    return IntStream.range(0, size)
        .mapToObj(i -> BroadcastMessage.of("Seq", List.of(new Channel("orders")), "{\"seq\":" + i + "}"))
        .collect(Collectors.toList());
  }

  private static List<Integer> seqs(PusherPeer.Received request) throws Exception {
    assertThat(request.path()).isEqualTo("/apps/3/batch_events");
    List<Integer> out = new ArrayList<>();
    for (JsonNode item : request.json().get("batch")) {
      out.add(JSON.readTree(item.get("data").asText()).get("seq").asInt());
    }
    return out;
  }
}
