package dev.broadcasting.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.broadcasting.BroadcastException;
import dev.broadcasting.Channel;
import dev.broadcasting.spi.BroadcastMessage;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.event.Event;
import io.lettuce.core.event.connection.ConnectionActivatedEvent;
import io.lettuce.core.event.connection.ConnectionDeactivatedEvent;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;

/**
 * The driver's side of ordered pipelining, step by step against a real redis-server behind a
 * {@link GatedProxy}: a publish refused while lettuce reconnects fences its channel, so the next
 * event of that channel, handed over once the connection is back and before core has heard of
 * the refusal, is refused too instead of overtaking the retry. Core's own part (it resends the
 * failed event, then its followers) is played here by the test, in the order core uses.
 */
class RedisOrderFenceTest {
  /** The application's client, as {@code Builder.client} takes it; its events say when the connection is up. */
  private final ClientResources resources =
      ClientResources.builder().reconnectDelay(Delay.constant(Duration.ofMillis(20))).build();
  private final RedisClient client = RedisClient.create(resources);
  private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
  private Disposable listening;

  @BeforeEach
  void listen() {
    client.setOptions(ClientOptions.builder()
        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS).build());
    listening = resources.eventBus().get()
        .filter(e -> e instanceof ConnectionActivatedEvent || e instanceof ConnectionDeactivatedEvent)
        .subscribe(events::add);
  }

  @AfterEach
  void shutDown() {
    listening.dispose();
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    resources.shutdown(0, 2, TimeUnit.SECONDS);
  }

  @Test
  void aPublishRefusedWhileReconnectingHoldsItsChannelUntilItIsSentAgain() throws Exception {
    try (RedisServer server = RedisServer.start();
        GatedProxy proxy = new GatedProxy(server.port());
        RedisSubscriber subscriber = RedisSubscriber.pattern(server.port(), "*");
        RedisBroadcastDriver driver = RedisBroadcastDriver.builder()
            .client(client, RedisURI.create("127.0.0.1", proxy.port())).build()) {
      assertThat(driver.keepsOrder()).isTrue();
      BroadcastMessage first = message("room", 1);
      BroadcastMessage refused = message("room", 2);
      BroadcastMessage next = message("room", 3);
      BroadcastMessage elsewhere = message("lobby", 1);
      awaitEvent(ConnectionActivatedEvent.class);
      driver.publish(first).get(5, TimeUnit.SECONDS);

      proxy.shut();
      awaitEvent(ConnectionDeactivatedEvent.class);
      assertRetryable(driver.publish(refused), "Currently not connected");
      proxy.open();
      awaitEvent(ConnectionActivatedEvent.class);

      // connected again: without the fence this one would be written now, ahead of the retry of 2
      assertRetryable(driver.publish(next), "Held back to keep the order of channel 'room'");
      driver.publish(elsewhere).get(5, TimeUnit.SECONDS); // other channels are not held
      resendInOrder(driver, refused, next, subscriber, server.port());
    }
  }

  /**
   * Core's part after the fence: the refused room 2 sent again lifts it, then room 3 goes; the
   * subscriber has room 1, lobby 1, room 2, room 3, in that order.
   */
  static void resendInOrder(RedisBroadcastDriver driver, BroadcastMessage refused, BroadcastMessage next,
      RedisSubscriber subscriber, int port) throws Exception {
    driver.publish(refused).get(5, TimeUnit.SECONDS); // the retry lifts the fence
    driver.publish(next).get(5, TimeUnit.SECONDS);

    assertThat(subscriber.settle(port)).extracting(r -> r.channel() + " " + r.text()).containsExactly(
        "room {\"event\":\"Tick\",\"data\":{\"seq\":1},\"socket\":null}",
        "lobby {\"event\":\"Tick\",\"data\":{\"seq\":1},\"socket\":null}",
        "room {\"event\":\"Tick\",\"data\":{\"seq\":2},\"socket\":null}",
        "room {\"event\":\"Tick\",\"data\":{\"seq\":3},\"socket\":null}");
  }

  private static BroadcastMessage message(String channel, int seq) {
    return BroadcastMessage.of("Tick", List.of(new Channel(channel)), "{\"seq\":" + seq + "}");
  }

  /** {@code publish} failed as retryable, saying {@code why}. */
  static void assertRetryable(CompletableFuture<Void> publish, String why) throws Exception {
    Throwable error = publish.handle((ok, e) -> e).get(5, TimeUnit.SECONDS);
    assertThat(error).isInstanceOf(BroadcastException.class).hasMessageContaining(why);
    assertThat(((BroadcastException) error).isRetryable()).isTrue();
  }

  private void awaitEvent(Class<? extends Event> type) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      Event event = events.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      if (event == null) {
        throw new AssertionError("lettuce reported no " + type.getSimpleName() + " within 10 s");
      }
      if (type.isInstance(event)) {
        return;
      }
    }
  }
}
