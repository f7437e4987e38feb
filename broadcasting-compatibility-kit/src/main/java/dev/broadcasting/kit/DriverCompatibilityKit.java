package dev.broadcasting.kit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.broadcasting.BroadcastEvent;
import dev.broadcasting.BroadcastListener;
import dev.broadcasting.Broadcaster;
import dev.broadcasting.RetryPolicy;
import dev.broadcasting.Channel;
import dev.broadcasting.PresenceChannel;
import dev.broadcasting.PrivateChannel;
import dev.broadcasting.ShouldBroadcast;
import dev.broadcasting.ShouldBroadcastNow;
import dev.broadcasting.internal.DriverRegistry;
import dev.broadcasting.spi.BroadcastDriver;
import dev.broadcasting.spi.BroadcastMessage;
import dev.broadcasting.BroadcastException;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract every driver proves, against its real peer: exact payloads, every channel, socket
 * exclusion ({@code toOthers}), order per channel, batches ({@code broadcastAll}), synchronous
 * sends, permanent and transient failures, batches the peer fails (all or nothing), the auth
 * signer, cancellation by core's attempt timeout and a clean close. A driver module's
 * test extends it and says how to build the driver and how to read what its peer received.
 *
 * <pre>{@code
 * class RedisDriverCompatibilityTest extends DriverCompatibilityKit {
 *   protected BroadcastDriver createDriver() { ... }
 *   protected List<Delivery> awaitDeliveries(int count, Duration timeout) { ... }
 *   protected String driverName() { return "redis"; }
 *   protected Optional<BroadcastMessage> unacceptableMessage() { return Optional.empty(); }
 *   protected String expectedPrivateAuth(String socketId, String channel) { return "true"; }
 * }
 * }</pre>
 */
public abstract class DriverCompatibilityKit {
  private static final ObjectMapper JSON = new ObjectMapper();
  protected static final Duration TIMEOUT = Duration.ofSeconds(20);

  /** What the peer received for one channel; {@code channel} is the full Pusher-style name that was broadcast on. */
  public record Delivery(String channel, String event, String payload, String socketId) {}

  /**
   * Returns a new driver connected to the peer. Called before each test: forget what the peer
   * received before, so that {@link #awaitDeliveries} sees only this test's events.
   */
  protected abstract BroadcastDriver createDriver() throws Exception;

  /**
   * Waits until the peer has received at least {@code count} deliveries (one per event and
   * channel), and returns all received since {@link #createDriver()}, in the order they arrived.
   */
  protected abstract List<Delivery> awaitDeliveries(int count, Duration timeout) throws Exception;

  /** The name the driver's provider registers, or null for a driver not found by name. */
  protected abstract String driverName();

  /** False for a driver whose peer cannot see a Pusher-style socket id (Ably ignores it). */
  protected boolean deliversSocketId() {
    return true;
  }

  /**
   * A message the peer will never accept (too large, a name it refuses), which the driver must fail
   * as not retryable; empty when the peer takes anything, which the kit then checks with a 256 KiB
   * payload.
   */
  protected abstract Optional<BroadcastMessage> unacceptableMessage();

  /**
   * The answer the driver's auth signer must give to {@code socketId} on the private channel
   * {@code channel}, computed by the test on its own (the peer's documented rule, not the driver's code).
   */
  protected abstract String expectedPrivateAuth(String socketId, String channel) throws Exception;

  /**
   * Makes the real peer answer {@code afterRequests} requests as usual, then fail the next one in a
   * way that passes (an HTTP 503, a cut connection), then work again; or says why this peer can
   * never fail and pass. {@link PeerFault#arranged}'s action heals the peer and disarms a fault not
   * used.
   */
  protected abstract PeerFault failOnce(int afterRequests) throws Exception;

  /**
   * Makes the real peer take the next request and never answer it, telling whether it saw the
   * client abandon it ({@link PeerFault#held}); or says why no request can be held.
   */
  protected abstract PeerFault holdNextRequest() throws Exception;

  /**
   * True for a driver that documents its {@link BroadcastDriver#publishBatch} as all or nothing:
   * when the peer fails part of a batch, every message of it is reported failed. False by default:
   * each message has its own outcome.
   */
  protected boolean batchIsAllOrNothing() {
    return false;
  }

  /** Threads of the peer itself, which may outlive the driver (an embedded server the test runs). */
  protected boolean isPeerThread(Thread thread) {
    return false;
  }

  protected Broadcaster broadcaster;
  protected BroadcastDriver driver;
  private Set<Thread> threadsBefore;

  @BeforeEach
  void startBroadcaster() throws Exception {
    threadsBefore = Thread.getAllStackTraces().keySet();
    driver = createDriver();
    broadcaster = Broadcaster.builder().connection("kit", driver).drainTimeout(TIMEOUT).build();
  }

  @AfterEach
  void closeBroadcaster() {
    if (broadcaster != null) {
      broadcaster.close();
    }
  }

  record Posted(long id, String text, List<Integer> numbers, String none, Nested nested) implements ShouldBroadcast {
    @Override
    public List<Channel> broadcastOn() {
      return List.of(new PrivateChannel("kit.room.1"));
    }
  }

  record Nested(boolean flag, double ratio) {}

  record Numbered(int seq, String channel) implements ShouldBroadcast {
    @Override
    public List<Channel> broadcastOn() {
      return List.of(new Channel(channel));
    }
  }

  record Everywhere(String text) implements ShouldBroadcast {
    @Override
    public List<Channel> broadcastOn() {
      return List.of(new Channel("kit.public"), new PrivateChannel("kit.private"), new PresenceChannel("kit.presence"));
    }

    @Override
    public String broadcastAs() {
      return "kit.everywhere";
    }
  }

  record Urgent(String text) implements ShouldBroadcastNow {
    @Override
    public List<Channel> broadcastOn() {
      return List.of(new Channel("kit.urgent"));
    }
  }

  @Test
  void providerIsFoundByName() {
    String name = driverName();
    if (name != null) {
      assertThat(DriverRegistry.providers()).containsKey(name);
    }
  }

  @Test
  void deliversTheEventNameAndTheExactPayload() throws Exception {
    Posted event = new Posted(42, "héllo \"wörld\" \\ ✓ 🎉\n<script>", List.of(1, 2, 3), null, new Nested(true, 0.25));
    broadcaster.broadcast(event).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);

    List<Delivery> got = awaitDeliveries(1, TIMEOUT);
    assertThat(got).hasSize(1);
    Delivery delivery = got.get(0);
    assertThat(delivery.channel()).isEqualTo("private-kit.room.1");
    assertThat(delivery.event()).isEqualTo("Posted");
    JsonNode payload = JSON.readTree(delivery.payload());
    assertThat(payload.get("id").asLong()).isEqualTo(42);
    assertThat(payload.get("text").asText()).isEqualTo("héllo \"wörld\" \\ ✓ 🎉\n<script>");
    assertThat(payload.get("numbers").toString()).isEqualTo("[1,2,3]");
    assertThat(payload.get("none").isNull()).isTrue();
    assertThat(payload.get("nested").get("flag").asBoolean()).isTrue();
    assertThat(payload.get("nested").get("ratio").asDouble()).isEqualTo(0.25);
    assertThat(payload.size()).isEqualTo(5);
    assertThat(delivery.socketId()).isNull();
  }

  @Test
  void deliversToEveryChannelOfTheEvent() throws Exception {
    broadcaster.broadcast(new Everywhere("all")).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);

    List<Delivery> got = awaitDeliveries(3, TIMEOUT);
    assertThat(got).extracting(Delivery::channel)
        .containsExactlyInAnyOrder("kit.public", "private-kit.private", "presence-kit.presence");
    assertThat(got).extracting(Delivery::event).containsOnly("kit.everywhere");
    for (Delivery delivery : got) {
      assertThat(JSON.readTree(delivery.payload())).isEqualTo(JSON.readTree("{\"text\":\"all\"}"));
    }
  }

  @Test
  void toOthersCarriesTheSocketId() throws Exception {
    broadcaster.toOthers("1234.5678").broadcast(new Posted(1, "x", List.of(), null, null))
        .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);

    List<Delivery> got = awaitDeliveries(1, TIMEOUT);
    assertThat(got).hasSize(1);
    if (deliversSocketId()) {
      assertThat(got.get(0).socketId()).isEqualTo("1234.5678");
    }
  }

  @Test
  void keepsTheOrderOfEventsOnOneChannel() throws Exception {
    int count = 200;
    List<CompletableFuture<Void>> sent = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      sent.add(broadcaster.broadcast(new Numbered(i, "kit.ordered")));
    }
    CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);

    List<Delivery> got = awaitDeliveries(count, TIMEOUT);
    List<Integer> sequence = new ArrayList<>();
    for (Delivery delivery : got) {
      sequence.add(JSON.readTree(delivery.payload()).get("seq").asInt());
    }
    assertThat(sequence).containsExactlyElementsOf(IntStream.range(0, count).boxed().collect(Collectors.toList()));
  }

  @Test
  void sendsShouldBroadcastNowBeforeReturning() throws Exception {
    CompletableFuture<Void> sent = broadcaster.broadcast(new Urgent("now"));
    assertThat(sent).isDone();
    sent.get();
    List<Delivery> got = awaitDeliveries(1, TIMEOUT);
    assertThat(got).extracting(Delivery::channel, Delivery::event).containsExactly(
        org.assertj.core.groups.Tuple.tuple("kit.urgent", "Urgent"));
  }

  @Test
  void deliversAnAnonymousBroadcastOfEightKilobytes() throws Exception {
    String text = "x".repeat(8 * 1024 - 20);
    broadcaster.on(new Channel("kit.big")).as("Big").with(java.util.Map.of("text", text)).send()
        .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);

    List<Delivery> got = awaitDeliveries(1, TIMEOUT);
    assertThat(got).hasSize(1);
    assertThat(got.get(0).event()).isEqualTo("Big");
    assertThat(JSON.readTree(got.get(0).payload()).get("text").asText()).isEqualTo(text);
  }

  @Test
  void closeIsIdempotentAndRefusesLaterBroadcasts() {
    broadcaster.close();
    broadcaster.close();
    CompletableFuture<Void> late = broadcaster.broadcast(new Numbered(1, "kit.late"));
    assertThat(late).isCompletedExceptionally();
  }

  @Test
  void broadcastAllDeliversTheWholeBatchInOrderPerChannel() throws Exception {
    List<ShouldBroadcast> batch = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      batch.add(new Numbered(i, i % 2 == 0 ? "kit.batch.even" : "kit.batch.odd"));
    }
    broadcaster.broadcastAll(batch).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);

    List<Delivery> got = awaitDeliveries(12, TIMEOUT);
    assertThat(got).hasSize(12);
    for (String channel : List.of("kit.batch.even", "kit.batch.odd")) {
      List<Integer> sequence = new ArrayList<>();
      for (Delivery delivery : got) {
        if (delivery.channel().equals(channel)) {
          sequence.add(JSON.readTree(delivery.payload()).get("seq").asInt());
        }
      }
      int first = channel.endsWith("even") ? 0 : 1;
      assertThat(sequence).as(channel).containsExactly(first, first + 2, first + 4, first + 6, first + 8, first + 10);
    }
  }

  @Test
  void aMessageThePeerCanNeverTakeFailsAsNotRetryable() throws Exception {
    Optional<BroadcastMessage> unacceptable = unacceptableMessage();
    if (unacceptable.isPresent()) {
      CompletableFuture<Void> sent = driver.publish(unacceptable.get());
      Throwable failure = sent.handle((ok, error) -> error).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      while (failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null) {
        failure = failure.getCause();
      }
      assertThat(failure).as("the driver's verdict").isInstanceOf(BroadcastException.class);
      assertThat(((BroadcastException) failure).isRetryable()).as("retryable? " + failure.getMessage()).isFalse();
    } else {
      String text = "y".repeat(256 * 1024);
      broadcaster.on(new Channel("kit.large")).as("Large").with(Map.of("text", text)).send()
          .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      List<Delivery> got = awaitDeliveries(1, TIMEOUT);
      assertThat(JSON.readTree(got.get(0).payload()).get("text").asText()).hasSize(256 * 1024);
    }
  }

  @Test
  void theAuthSignerAnswersAsThePeerExpects() throws Exception {
    String answer = driver.authSigner().signPrivate("1234.5678", "private-kit.auth");
    assertThat(answer).isEqualTo(expectedPrivateAuth("1234.5678", "private-kit.auth"));
  }

  @Test
  void aTransientFailureIsRetryableAndTheRetryDeliversOnce() throws Exception {
    PeerFault fault = failOnce(0);
    if (!fault.isPossible()) {
      assertThat(fault.impossibleBecause()).as("why this peer can never fail and pass").isNotBlank();
      return;
    }
    List<Throwable> retries = new CopyOnWriteArrayList<>();
    try (Broadcaster retrying = retrying(TIMEOUT, retries, fault::heal)) {
      retrying.broadcast(new Numbered(1, "kit.retry")).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    } finally {
      fault.heal();
    }
    assertThat(retries).as("retries after the peer failed once").isNotEmpty();
    assertRetryable(retries.get(0));
    assertThat(awaitDeliveries(1, TIMEOUT)).as("deliveries after one failure and its retry")
        .extracting(Delivery::channel).containsExactly("kit.retry");
  }

  @Test
  protected void aBatchThePeerFailsIsDeliveredWholeOrNotAtAllAndRetryable() throws Exception {
    int size = 12;
    int delivered = 0;
    for (int afterRequests = 0; afterRequests <= 1; afterRequests++) {
      String event = "Batch" + afterRequests;
      List<BroadcastMessage> batch = IntStream.range(0, size).mapToObj(i -> BroadcastMessage.of(event,
          List.of(new Channel(i % 2 == 0 ? "kit.batch.even" : "kit.batch.odd")), "{\"seq\":" + i + "}"))
          .collect(Collectors.toList());
      PeerFault fault = failOnce(afterRequests);
      if (!fault.isPossible()) {
        assertThat(fault.impossibleBecause()).as("why the peer cannot fail after %d requests", afterRequests)
            .isNotBlank();
        continue;
      }
      Throwable failure = driver.publishAll(batch).handle((ok, error) -> error).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      fault.heal();
      if (failure != null) {
        assertRetryable(failure);
        sendAgainUntilAccepted(batch);
      }
      delivered += size;
      List<String> got = awaitDeliveries(delivered, TIMEOUT).stream().filter(d -> d.event().equals(event))
          .map(d -> d.channel() + " " + seq(d.payload())).collect(Collectors.toList());
      String verdict = failure == null ? "reported delivered" : "reported failed (" + failure + ") and sent again";
      assertThat(got).as("a batch the peer failed after %d requests, %s: a duplicate means part of it was"
          + " delivered although the driver reported it failed", afterRequests, verdict).doesNotHaveDuplicates();
      assertThat(got).as("a batch the peer failed after %d requests, %s: each event once, in order per channel",
          afterRequests, verdict).containsExactlyElementsOf(inOrderPerChannel(batch, got));
    }
  }

  @Test
  void publishBatchAnswersEachMessageInTheOrderGivenAndKeepsEachChannelsOrder() throws Exception {
    int maxBatch = driver.maxBatch();
    assertThat(maxBatch).as("maxBatch(): 1 for a driver without a batch form, more for one with").isPositive();
    assertThat(driver.maxUnanswered()).as("maxUnanswered(): the most messages the driver takes unanswered at once, "
        + "at least one full batch of maxBatch() %d", maxBatch).isGreaterThanOrEqualTo(maxBatch);
    Optional<BroadcastMessage> unacceptable = unacceptableMessage();
    List<BroadcastMessage> batch = coalesced("Coalesced", Math.min(maxBatch, 12), false);
    int refusedAt = -1;
    if (unacceptable.isPresent() && batch.size() > 2) {
      refusedAt = batch.size() / 2; // in the middle, so that a future given to the wrong message shows
      batch.set(refusedAt, unacceptable.get());
    }
    List<CompletableFuture<Void>> sent = driver.publishBatch(batch);

    assertThat(sent).as("one future per message, in the order given").hasSize(batch.size()).doesNotContainNull();
    List<BroadcastMessage> expected = new ArrayList<>();
    for (int i = 0; i < batch.size(); i++) {
      Throwable failure = outcome(sent.get(i));
      if (i == refusedAt) {
        assertThat(failure).as("the message the peer can never take, at %d of the batch", i)
            .isInstanceOf(BroadcastException.class);
        assertThat(((BroadcastException) failure).isRetryable()).as("retryable? %s", failure).isFalse();
      } else {
        assertThat(failure).as("message %d of the batch", i).isNull();
        expected.add(batch.get(i));
      }
    }
    List<String> got = deliveriesOf("Coalesced", expected.stream().mapToInt(m -> m.channels().size()).sum());
    assertThat(got).as("each message once, in order per channel").doesNotHaveDuplicates()
        .containsExactlyElementsOf(inOrderPerChannel(expected, got));
  }

  /**
   * A batch the driver builds ahead ({@link BroadcastDriver#prepareBatch}) goes nowhere until it is
   * sent: a message published after the preparation arrives first. Sent, it answers as
   * {@code publishBatch} does, each message once, in order per channel. A driver that does not
   * prepare (null) shows only the message.
   */
  @Test
  void aPreparedBatchGoesOnlyWhenSentAndAnswersAsPublishBatch() throws Exception {
    List<BroadcastMessage> batch = coalesced("Prepared", Math.min(driver.maxBatch(), 12), false);
    BroadcastDriver.PreparedBatch prepared = driver.prepareBatch(batch);
    BroadcastMessage after = BroadcastMessage.of("Prepared", List.of(new Channel("kit.batch.even")), "{\"seq\":99}");
    assertThat(outcome(driver.publish(after))).as("the message published after the preparation").isNull();
    if (prepared == null) {
      assertThat(deliveriesOf("Prepared", 1)).containsExactly("kit.batch.even 99");
      return;
    }
    List<CompletableFuture<Void>> sent = prepared.send();
    assertThat(sent).as("one future per message, in the order given").hasSize(batch.size()).doesNotContainNull();
    for (int i = 0; i < sent.size(); i++) {
      assertThat(outcome(sent.get(i))).as("message %d of the prepared batch", i).isNull();
    }
    List<String> got = deliveriesOf("Prepared", 1 + batch.size());
    assertThat(got).as("preparing sent nothing: the later message came first").startsWith("kit.batch.even 99");
    List<String> fromBatch = got.subList(1, got.size());
    assertThat(fromBatch).as("each message once, in order per channel").doesNotHaveDuplicates()
        .containsExactlyElementsOf(inOrderPerChannel(batch, fromBatch));
  }

  @Test
  protected void aBatchThePeerFailsPartwayKeepsEachChannelsOrderAndTheResendDeliversOnce() throws Exception {
    int size = Math.min(driver.maxBatch(), 12);
    int expected = 0;
    for (int afterRequests = 0; afterRequests <= 1; afterRequests++) {
      String event = "Coalesced" + afterRequests;
      List<BroadcastMessage> batch = coalesced(event, size, true);
      PeerFault fault = failOnce(afterRequests);
      if (!fault.isPossible()) {
        assertThat(fault.impossibleBecause()).as("why the peer cannot fail after %d requests", afterRequests)
            .isNotBlank();
        continue;
      }
      List<CompletableFuture<Void>> sent = driver.publishBatch(batch);
      assertThat(sent).as("one future per message, in the order given").hasSize(size).doesNotContainNull();
      List<BroadcastMessage> failed = new ArrayList<>();
      for (int i = 0; i < size; i++) {
        Throwable failure = outcome(sent.get(i));
        if (failure != null) {
          assertRetryable(failure);
          failed.add(batch.get(i));
        }
      }
      fault.heal();
      if (batchIsAllOrNothing()) {
        assertThat(failed.size()).as("failed messages of a batch the driver calls all or nothing").isIn(0, size);
      }
      // as core does: the failed messages again, in their order, until the peer takes them
      resendUntilAccepted(failed);
      expected += batch.stream().mapToInt(m -> m.channels().size()).sum();
      List<String> got = deliveriesOf(event, expected);
      String verdict = failed.isEmpty() ? "all reported delivered" : failed.size() + " reported failed and sent again";
      assertThat(got).as("a batch the peer failed after %d requests, %s: a duplicate means a message was"
          + " delivered although the driver reported it failed", afterRequests, verdict).doesNotHaveDuplicates();
      assertThat(got).as("a batch the peer failed after %d requests, %s: each message once, and on each channel"
          + " none delivered ahead of an earlier one that failed", afterRequests, verdict)
          .containsExactlyElementsOf(inOrderPerChannel(batch, got));
    }
  }

  /**
   * Independent messages as core coalesces them: interleaved on three channels, and the fifth also
   * on a second channel when {@code oneOnTwo}. The channels are ones other tests use too, so that a
   * peer subscribed to the kit's channels sees them; the event name tells this test's deliveries apart.
   */
  private static List<BroadcastMessage> coalesced(String event, int size, boolean oneOnTwo) {
    List<String> names = List.of("kit.batch.even", "kit.batch.odd", "kit.ordered");
    List<BroadcastMessage> batch = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      List<Channel> on = oneOnTwo && i == 4 ? List.of(new Channel(names.get(1)), new Channel(names.get(2)))
          : List.of(new Channel(names.get(i % 3)));
      batch.add(BroadcastMessage.of(event, on, "{\"seq\":" + i + "}"));
    }
    return batch;
  }

  private void resendUntilAccepted(List<BroadcastMessage> messages) throws Exception {
    long giveUp = System.nanoTime() + TIMEOUT.toNanos();
    List<BroadcastMessage> left = messages;
    while (!left.isEmpty()) {
      List<CompletableFuture<Void>> sent = driver.publishBatch(left);
      List<BroadcastMessage> failed = new ArrayList<>();
      for (int i = 0; i < left.size(); i++) {
        Throwable failure = outcome(sent.get(i));
        if (failure != null) {
          assertRetryable(failure);
          if (System.nanoTime() > giveUp) {
            throw new AssertionError("still failing " + TIMEOUT + " after the peer healed: " + failure, failure);
          }
          failed.add(left.get(i));
        }
      }
      left = failed;
      if (!left.isEmpty()) {
        Thread.sleep(50); // a driver may need a moment to reconnect
      }
    }
  }

  /** The failure of a driver's future, unwrapped; null when it completed normally. */
  private static Throwable outcome(CompletableFuture<Void> sent) throws Exception {
    Throwable failure = sent.handle((ok, error) -> error).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    while (failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null) {
      failure = failure.getCause();
    }
    return failure;
  }

  /** Deliveries of {@code event} as "channel seq", once at least {@code total} deliveries of this test arrived. */
  private List<String> deliveriesOf(String event, int total) throws Exception {
    return awaitDeliveries(total, TIMEOUT).stream().filter(d -> d.event().equals(event))
        .map(d -> d.channel() + " " + seq(d.payload())).collect(Collectors.toList());
  }

  /** The batch's deliveries in the order they must keep on each channel, interleaved as {@code got} was. */
  private static List<String> inOrderPerChannel(List<BroadcastMessage> batch, List<String> got) {
    Map<String, java.util.ArrayDeque<String>> expected = new java.util.LinkedHashMap<>();
    for (BroadcastMessage message : batch) {
      for (Channel channel : message.channels()) {
        expected.computeIfAbsent(channel.name(), c -> new java.util.ArrayDeque<>())
            .add(channel.name() + " " + seq(message.payload()));
      }
    }
    List<String> order = new ArrayList<>();
    for (String delivery : got) {
      java.util.ArrayDeque<String> queue = expected.get(delivery.substring(0, delivery.indexOf(' ')));
      if (queue != null && !queue.isEmpty()) {
        order.add(queue.poll());
      }
    }
    expected.values().forEach(order::addAll);
    return order;
  }

  @Test
  void aPublishThePeerHoldsIsCancelledByTheAttemptTimeoutAndTheRetryDeliversOnce() throws Exception {
    PeerFault fault = holdNextRequest();
    if (!fault.isPossible()) {
      assertThat(fault.impossibleBecause()).as("why this peer cannot hold a request").isNotBlank();
      return;
    }
    List<Throwable> retries = new CopyOnWriteArrayList<>();
    try (Broadcaster timing = retrying(Duration.ofMillis(500), retries, () -> { })) {
      timing.broadcast(new Numbered(1, "kit.cancel")).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      assertThat(retries).as("retries after the attempt the peer held timed out").isNotEmpty();
      assertThat(fault.abandonmentSeen(TIMEOUT)).as("the peer saw the timed-out request abandoned").isTrue();
    } finally {
      fault.heal();
    }
    assertThat(awaitDeliveries(1, TIMEOUT)).as("deliveries after a held attempt and its retry")
        .extracting(Delivery::channel).containsExactly("kit.cancel");
  }

  /** As core would: the peer has healed, but a driver may need a moment to reconnect. */
  private void sendAgainUntilAccepted(List<BroadcastMessage> batch) throws Exception {
    long giveUp = System.nanoTime() + TIMEOUT.toNanos();
    Throwable failure;
    while ((failure = driver.publishAll(batch).handle((ok, error) -> error)
        .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) != null) {
      assertRetryable(failure);
      if (System.nanoTime() > giveUp) {
        throw new AssertionError("the batch still failed " + TIMEOUT + " after the peer healed: " + failure, failure);
      }
      Thread.sleep(50);
    }
  }

  private static int seq(String payload) {
    try {
      return JSON.readTree(payload).get("seq").asInt();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("not JSON: " + payload, e);
    }
  }

  private static void assertRetryable(Throwable failure) {
    while (failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null) {
      failure = failure.getCause();
    }
    if (failure instanceof BroadcastException broadcast) {
      assertThat(broadcast.isRetryable()).as("a transient failure reported as retryable: %s", failure).isTrue();
    } // any other exception is retryable by the SPI's rule
  }

  /**
   * A broadcaster on this test's driver, which it does not close, retrying quickly; each retry's
   * cause is noted, and the first heals the peer.
   */
  private Broadcaster retrying(Duration attemptTimeout, List<Throwable> retries, PeerFault.Action heal) {
    BroadcastDriver borrowed = new BroadcastDriver() {
      @Override
      public CompletableFuture<Void> publish(BroadcastMessage message) {
        return driver.publish(message);
      }

      @Override
      public CompletableFuture<Void> publishAll(List<BroadcastMessage> messages) {
        return driver.publishAll(messages);
      }
    };
    RetryPolicy quick = RetryPolicy.builder().maxAttempts(20).baseDelay(Duration.ofMillis(20))
        .maxDelay(Duration.ofMillis(200)).build();
    return Broadcaster.builder().connection("kit", borrowed).attemptTimeout(attemptTimeout).retry(quick)
        .drainTimeout(TIMEOUT).listener(new BroadcastListener() {
          @Override
          public void onRetry(BroadcastEvent event, String connection, int attempt, Duration delay, Throwable cause) {
            retries.add(cause);
            if (retries.size() == 1) {
              try {
                heal.run();
              } catch (Exception e) {
                throw new IllegalStateException("healing the peer failed", e);
              }
            }
          }
        }).build();
  }

  @Test
  void closeLeavesNoThreadOfTheDriverThatWouldHoldUpTheJvm() throws Exception {
    broadcaster.broadcast(new Numbered(1, "kit.close")).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    broadcaster.close();
    long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    List<Thread> left = leftBehind();
    while (!left.isEmpty() && System.nanoTime() < giveUp) {
      Thread.sleep(20);
      left = leftBehind();
    }
    assertThat(left).as("non-daemon threads started with the driver and alive after close").isEmpty();
  }

  private List<Thread> leftBehind() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(thread -> thread.isAlive() && !thread.isDaemon() && !threadsBefore.contains(thread)
            && !isPeerThread(thread))
        .collect(Collectors.toList());
  }
}
