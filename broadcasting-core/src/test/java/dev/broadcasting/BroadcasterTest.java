package dev.broadcasting;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.broadcasting.spi.BroadcastDriver;
import dev.broadcasting.spi.BroadcastMessage;
import dev.broadcasting.testing.BroadcastFake;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BroadcasterTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final BroadcastFake fake = new BroadcastFake();
  private final Broadcaster broadcaster = fake.broadcaster();

  /** Records what the driver is handed, for the tests of routing and serialization. */
  static final class RecordingDriver implements BroadcastDriver {
    private final List<BroadcastMessage> messages = new java.util.concurrent.CopyOnWriteArrayList<>();

    @Override
    public CompletableFuture<Void> publish(BroadcastMessage message) {
      messages.add(message);
      return CompletableFuture.completedFuture(null);
    }

    List<BroadcastMessage> messages() {
      return List.copyOf(messages);
    }
  }

  @AfterEach
  void close() {
    broadcaster.close();
  }

  record OrderShipped(long orderId, String carrier, List<String> items, Map<String, Integer> counts, Boolean gift)
      implements ShouldBroadcast {
    @Override
    public List<Channel> broadcastOn() {
      return List.of(new PrivateChannel("orders." + orderId), new Channel("orders"));
    }
  }

  static final class Pojo implements ShouldBroadcast {
    public final int id = 7;
    private final String title = "t";
    private final transient String ignored = "no";

    public String getTitle() {
      return title;
    }

    @Override
    public List<Channel> broadcastOn() {
      return List.of(new Channel("pojo"));
    }
  }

  record Renamed(String text) implements ShouldBroadcast {
    @Override
    public List<Channel> broadcastOn() {
      return List.of(new Channel("c"));
    }

    @Override
    public String broadcastAs() {
      return "message.posted";
    }

    @Override
    public Object broadcastWith() {
      Map<String, Object> payload = new LinkedHashMap<>();
      payload.put("body", text.toUpperCase());
      payload.put("at", 1);
      return payload;
    }
  }

  record Conditional(boolean send) implements ShouldBroadcast {
    @Override
    public List<Channel> broadcastOn() {
      return List.of(new Channel("c"));
    }

    @Override
    public boolean broadcastWhen() {
      return send;
    }
  }

  record NoChannels() implements ShouldBroadcast {
    @Override
    public List<Channel> broadcastOn() {
      return List.of();
    }
  }

  record WithObject(Object value) implements ShouldBroadcast {
    @Override
    public List<Channel> broadcastOn() {
      return List.of(new Channel("c"));
    }
  }

  record Scalar() implements ShouldBroadcast {
    @Override
    public List<Channel> broadcastOn() {
      return List.of(new Channel("c"));
    }

    @Override
    public Object broadcastWith() {
      return List.of(1, 2);
    }
  }

  static final class Unserializable {
    public Object getBoom() {
      throw new IllegalStateException("boom");
    }
  }

  @Test
  void recordPayloadIsTheEventsOwnJsonFieldByField() throws Exception {
    broadcaster.broadcast(new OrderShipped(42, "UPS", List.of("a", "b"), Map.of("a", 1), null)).join();

    BroadcastEvent message = fake.events().get(0);
    assertThat(message.name()).isEqualTo("OrderShipped");
    assertThat(message.channels()).containsExactly(new PrivateChannel("orders.42"), new Channel("orders"));
    JsonNode payload = JSON.readTree(message.payload());
    assertThat(payload.get("orderId").asLong()).isEqualTo(42);
    assertThat(payload.get("carrier").asText()).isEqualTo("UPS");
    assertThat(payload.get("items").toString()).isEqualTo("[\"a\",\"b\"]");
    assertThat(payload.get("counts").get("a").asInt()).isEqualTo(1);
    assertThat(payload.get("gift").isNull()).isTrue();
    assertThat(payload.size()).isEqualTo(5);
  }

  @Test
  void pojoPayloadHasItsPublicPropertiesOnly() throws Exception {
    broadcaster.broadcast(new Pojo()).join();
    assertThat(JSON.readTree(fake.events().get(0).payload()))
        .isEqualTo(JSON.readTree("{\"id\":7,\"title\":\"t\"}"));
  }

  @Test
  void broadcastAsAndBroadcastWithOverrideNameAndPayload() {
    broadcaster.broadcast(new Renamed("hi")).join();
    BroadcastEvent message = fake.events().get(0);
    assertThat(message.name()).isEqualTo("message.posted");
    assertThat(message.payload()).isEqualTo("{\"body\":\"HI\",\"at\":1}");
  }

  @Test
  void broadcastWhenFalseSendsNothing() {
    broadcaster.broadcast(new Conditional(false)).join();
    broadcaster.broadcast(new NoChannels()).join();
    fake.assertNothingBroadcast();
    broadcaster.broadcast(new Conditional(true)).join();
    fake.assertBroadcastTimes(Conditional.class, 1);
  }

  @Test
  void aPayloadThatIsNotAnObjectFailsAtBroadcastNamingTheEvent() {
    assertThatThrownBy(() -> broadcaster.broadcast(new Scalar()))
        .isInstanceOf(BroadcastException.class)
        .hasMessageContaining(Scalar.class.getName())
        .hasMessageContaining("must serialize to a JSON object")
        .hasMessageContaining("[1,2]");
    fake.assertNothingBroadcast();
  }

  @Test
  void aFieldThatDoesNotSerializeIsNamed() {
    assertThatThrownBy(() -> broadcaster.broadcast(new WithObject(new Unserializable())))
        .isInstanceOf(BroadcastException.class)
        .hasMessageContaining(WithObject.class.getName())
        .hasMessageContaining("at field 'value.boom'")
        .hasMessageContaining("@JsonIgnore");
  }

  @Test
  void anEmptyBeanIsAnEmptyObjectAndJavaTimeIsWrittenWhenItsModuleIsPresent() {
    broadcaster.broadcast(new WithObject(new Object())).join();
    assertThat(fake.events().get(0).payload()).isEqualTo("{\"value\":{}}");
  }

  @Test
  void theSameChannelTwiceIsSentOnce() {
    broadcaster.on(new Channel("a"), new Channel("a"), new PrivateChannel("a")).as("x").send().join();
    assertThat(fake.events().get(0).channels()).containsExactly(new Channel("a"), new PrivateChannel("a"));
  }

  @Test
  void anonymousBroadcastCarriesNamePayloadAndSocket() {
    broadcaster.on(new PresenceChannel("room.1")).as("Typing").with(Map.of("user", "ann"))
        .toOthers("12.34").send().join();
    BroadcastEvent message = fake.events().get(0);
    assertThat(message.name()).isEqualTo("Typing");
    assertThat(message.payload()).isEqualTo("{\"user\":\"ann\"}");
    assertThat(message.socketId()).isEqualTo("12.34");
    assertThat(message.source()).isNull();
    fake.assertBroadcastAs("Typing");
  }

  @Test
  void anonymousBroadcastDefaultsToAnonymousEventWithAnEmptyPayload() {
    broadcaster.on(new Channel("c")).send().join();
    assertThat(fake.events().get(0).name()).isEqualTo("AnonymousEvent");
    assertThat(fake.events().get(0).payload()).isEqualTo("{}");
  }

  @Test
  void toOthersSetsTheSocketIdAndRefusesBlank() {
    broadcaster.toOthers("1.2").broadcast(new Renamed("x")).join();
    assertThat(fake.events().get(0).socketId()).isEqualTo("1.2");
    assertThatThrownBy(() -> broadcaster.toOthers(" ")).hasMessageContaining("blank");
  }

  @Test
  void viaPicksConnectionsAndAnEventMayNameSeveral() {
    RecordingDriver first = new RecordingDriver();
    RecordingDriver second = new RecordingDriver();
    record Both(String x) implements ShouldBroadcast {
      @Override
      public List<Channel> broadcastOn() {
        return List.of(new Channel("c"));
      }

      @Override
      public List<String> broadcastConnections() {
        return List.of("first", "second");
      }
    }
    try (Broadcaster two = Broadcaster.builder().connection("first", first).connection("second", second)
        .defaultConnection("first").synchronous().build()) {
      two.broadcast(new Renamed("default")).join();
      two.via("second").broadcast(new Renamed("via")).join();
      two.broadcast(new Both("x")).join();
      assertThat(first.messages()).extracting(BroadcastMessage::payload)
          .containsExactly("{\"body\":\"DEFAULT\",\"at\":1}", "{\"x\":\"x\"}");
      assertThat(second.messages()).extracting(BroadcastMessage::payload)
          .containsExactly("{\"body\":\"VIA\",\"at\":1}", "{\"x\":\"x\"}");
      // serialized once: both connections got the very same payload string
      assertThat(first.messages().get(1).payload()).isSameAs(second.messages().get(1).payload());
      assertThatThrownBy(() -> two.via("third").broadcast(new Renamed("x")))
          .hasMessageContaining("connection 'third'").hasMessageContaining("[first, second]");
    }
  }

  @Test
  void payloadIsSerializedOnceWhateverTheChannelsAndConnections() {
    AtomicInteger serializations = new AtomicInteger();
    record Counting(AtomicInteger counter) implements ShouldBroadcast {
      @Override
      public List<Channel> broadcastOn() {
        return List.of(new Channel("a"), new Channel("b"), new Channel("c"));
      }

      @Override
      public Object broadcastWith() {
        return new Object() {
          public int getCount() {
            return counter.incrementAndGet();
          }
        };
      }

      @Override
      public List<String> broadcastConnections() {
        return List.of("one", "two");
      }
    }
    try (Broadcaster two = Broadcaster.builder().connection("one", new RecordingDriver())
        .connection("two", new RecordingDriver()).defaultConnection("one").build()) {
      two.broadcast(new Counting(serializations)).join();
    }
    assertThat(serializations).hasValue(1);
  }

  @Test
  void queuedBroadcastsCompleteAndShouldBroadcastNowIsDoneOnReturn() {
    RecordingDriver target = new RecordingDriver();
    record Now(String x) implements ShouldBroadcastNow {
      @Override
      public List<Channel> broadcastOn() {
        return List.of(new Channel("now"));
      }
    }
    try (Broadcaster queued = Broadcaster.builder().connection("q", target).build()) {
      List<CompletableFuture<Void>> futures = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        futures.add(queued.broadcast(new Renamed("e" + i)));
      }
      CompletableFuture<Void> now = queued.broadcast(new Now("x"));
      assertThat(now).isCompletedWithValue(null);
      CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).join();
      assertThat(target.messages()).hasSize(101);
    }
  }

  @Test
  void builderNamesWhatIsWrong() {
    assertThatThrownBy(() -> Broadcaster.builder().build()).hasMessageContaining("No connection configured");
    assertThatThrownBy(() -> Broadcaster.builder().connection("a", new RecordingDriver())
        .connection("b", new RecordingDriver()).build()).hasMessageContaining("call defaultConnection");
    assertThatThrownBy(() -> Broadcaster.builder().connection("a", new RecordingDriver())
        .defaultConnection("b").build()).hasMessageContaining("'b' is not one of the connections [a]");
    assertThatThrownBy(() -> Broadcaster.builder().connection("a", new RecordingDriver())
        .connection("a", new RecordingDriver())).hasMessageContaining("'a' was already added");
    assertThatThrownBy(() -> Broadcaster.builder().queueCapacity(0)).hasMessage("queueCapacity must be at least 1 but was 0");
    assertThatThrownBy(() -> Broadcaster.builder().connection("x", "pushr", Map.of()))
        .isInstanceOf(BroadcastException.class)
        .hasMessageContaining("No broadcast driver named 'pushr'")
        .hasMessageContaining("log").hasMessageContaining("null");
  }

  @Test
  void environmentNamesTheDriverWithLaravelsVariables() {
    try (Broadcaster fromEnv = Broadcaster.fromMap(Map.of("BROADCAST_CONNECTION", "null"))) {
      assertThat(fromEnv.defaultConnection()).isEqualTo("null");
    }
    try (Broadcaster fallback = Broadcaster.fromMap(Map.of("BROADCAST_DRIVER", "log"))) {
      assertThat(fallback.defaultConnection()).isEqualTo("log");
    }
    try (Broadcaster unset = Broadcaster.fromMap(Map.of())) {
      assertThat(unset.defaultConnection()).isEqualTo("log");
    }
    java.util.Properties properties = new java.util.Properties();
    properties.setProperty("BROADCAST_CONNECTION", "null");
    try (Broadcaster fromProperties = Broadcaster.fromProperties(properties)) {
      assertThat(fromProperties.connectionNames()).containsExactly("null");
    }
  }

  @Test
  void javaTimeNeedsItsModuleAndSaysSo() {
    // jackson-datatype-jsr310 is not a dependency of core: the error names the field and the remedy
    assertThatThrownBy(() -> broadcaster.broadcast(new WithObject(Instant.EPOCH)))
        .isInstanceOf(BroadcastException.class)
        .hasMessageContaining("at field 'value'");
  }
}
