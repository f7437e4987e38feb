package dev.broadcasting.pusher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.broadcasting.BroadcastException;
import dev.broadcasting.Channel;
import dev.broadcasting.spi.BroadcastDriver;
import dev.broadcasting.spi.BroadcastMessage;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * {@code prepareBatch}: the {@code batch_events} request built and signed ahead goes out only when
 * sent, byte for byte what {@code publishBatch} sends for the same events, with a signature the peer
 * recomputes; what does not fit one request goes as {@code publishBatch} would at the send; after
 * close nothing goes.
 */
class PusherPreparedBatchTest extends AgainstPusherPeer {
  private static List<BroadcastMessage> ticks(int count, String... channels) {
    List<Channel> to = List.of(channels).stream().map(Channel::new).collect(Collectors.toList());
    return IntStream.rangeClosed(1, count).mapToObj(n -> BroadcastMessage.of("Tick", to, "{\"n\":" + n + "}"))
        .collect(Collectors.toList());
  }

  private static void awaitAll(List<CompletableFuture<Void>> sent) throws Exception {
    CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
  }

  @Test
  void aPreparedBatchGoesOnlyWhenSentAsTheSameSignedBatchEventsRequest() throws Exception {
    List<BroadcastMessage> messages = ticks(10, "orders");
    BroadcastDriver.PreparedBatch prepared = driver.prepareBatch(messages);
    assertThat(peer.poll(50)).as("prepared, not sent").isNull();

    List<CompletableFuture<Void>> sent = prepared.send();
    assertThat(sent).hasSize(10);
    awaitAll(sent);
    PusherPeer.Received ahead = peer.takeSigned();
    awaitAll(driver.publishBatch(messages));
    PusherPeer.Received now = peer.takeSigned();

    assertThat(ahead.method()).isEqualTo("POST");
    assertThat(ahead.path()).isEqualTo("/apps/" + peer.appId + "/batch_events");
    assertThat(ahead.bodyText()).isEqualTo(now.bodyText());
    assertThat(ahead.json().get("batch")).hasSize(10);
    assertThat(ahead.json().get("batch").get(9).get("data").asText()).isEqualTo("{\"n\":10}");
    assertThat(peer.poll(50)).isNull();
  }

  @Test
  void eventsThatDoNotFitOneRequestGoAsPublishBatchWouldAtTheSend() throws Exception {
    List<BroadcastMessage> messages = ticks(6, "a", "b"); // 12 items: two batch_events requests
    BroadcastDriver.PreparedBatch prepared = driver.prepareBatch(messages);
    assertThat(peer.poll(50)).isNull();
    awaitAll(prepared.send());
    assertThat(peer.takeSigned().json().get("batch")).hasSize(10);
    assertThat(peer.takeSigned().json().get("batch")).hasSize(2);
  }

  @Test
  void aBatchPreparedBeforeCloseFailsAtItsSendWithoutARequest() throws Exception {
    BroadcastDriver.PreparedBatch prepared = driver.prepareBatch(ticks(10, "orders"));
    driver.close();
    List<CompletableFuture<Void>> sent = prepared.send();
    assertThat(sent).hasSize(10);
    ExecutionException failure = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
        () -> sent.get(0).get(5, TimeUnit.SECONDS));
    assertThat(failure.getCause()).isInstanceOf(BroadcastException.class).hasMessageContaining("closed");
    assertThat(peer.requestCount()).isZero();
  }
}
