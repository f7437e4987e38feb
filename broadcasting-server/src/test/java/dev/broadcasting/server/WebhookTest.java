package dev.broadcasting.server;

import static dev.broadcasting.server.TestSignatures.channelAuth;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.pusher.rest.Pusher;
import com.sun.net.httpserver.HttpServer;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Webhooks as a receiver sees them: every body checked with the official Pusher Java SDK's
 * {@code validateWebhookSignature} and with the test's own HMAC; batching, retries over an outage,
 * the backlog bound, and the sender's threads and connections under a burst.
 */
class WebhookTest {
  private static final String KEY = "hook-key";
  private static final String SECRET = "hook-secret";
  private static final Pusher OFFICIAL_SDK = new Pusher("1", KEY, SECRET);

  private HttpServer receiver;
  private ThreadPoolExecutor receiverThreads;
  private BroadcastServer server;
  private final BlockingQueue<JsonNode> events = new LinkedBlockingQueue<>();
  private final AtomicInteger requests = new AtomicInteger();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger mostInFlight = new AtomicInteger();
  private final Set<Integer> clientPorts = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean down = new AtomicBoolean();
  private final AtomicInteger failuresToGive = new AtomicInteger();
  private final List<AutoCloseable> clients = new ArrayList<>();

  @BeforeEach
  void startReceiver() throws Exception {
    receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    // serves 20 at a time, its threads started up front so that the burst test counts the sender's alone
    receiverThreads = (ThreadPoolExecutor) Executors.newFixedThreadPool(20);
    receiverThreads.prestartAllCoreThreads();
    receiver.setExecutor(receiverThreads);
    receiver.createContext("/hooks", exchange -> {
      mostInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
      requests.incrementAndGet();
      clientPorts.add(exchange.getRemoteAddress().getPort());
      String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      boolean refuse = down.get() || failuresToGive.getAndDecrement() > 0;
      if (!refuse) {
        assertThat(OFFICIAL_SDK.validateWebhookSignature(exchange.getRequestHeaders().getFirst("X-Pusher-Key"),
            exchange.getRequestHeaders().getFirst("X-Pusher-Signature"), body).name()).isEqualTo("VALID");
        assertThat(exchange.getRequestHeaders().getFirst("X-Pusher-Signature")).isEqualTo(TestSignatures.hmacHex(SECRET, body));
        assertThat(exchange.getRequestHeaders().getFirst("Content-Type")).isEqualTo("application/json");
        JsonNode parsed = WsClient.JSON.readTree(body);
        assertThat(parsed.get("time_ms").asLong()).isPositive();
        parsed.get("events").forEach(events::add);
      }
      inFlight.decrementAndGet();
      exchange.sendResponseHeaders(refuse ? 503 : 200, -1);
      exchange.close();
    });
    receiver.start();
  }

  private BroadcastServer start(App.Builder app, ManualClock clock) {
    BroadcastServer.Builder builder = BroadcastServer.builder().host("127.0.0.1").port(0)
        .app(app.webhook(URI.create("http://127.0.0.1:" + receiver.getAddress().getPort() + "/hooks")).build());
    if (clock != null) {
      builder.webhookClock(clock);
    }
    server = builder.build().start();
    return server;
  }

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable client : clients) {
      client.close();
    }
    if (server != null) {
      server.close();
    }
    receiver.stop(0);
    receiverThreads.shutdownNow();
  }

  private JsonNode nextEvent() throws Exception {
    JsonNode event = events.poll(15, TimeUnit.SECONDS);
    assertThat(event).as("a webhook event").isNotNull();
    return event;
  }

  private WsClient presenceMember(String channel, String userId) throws Exception {
    WsClient client = WsClient.established(server.port(), KEY);
    clients.add(client);
    String data = "{\"user_id\":\"" + userId + "\"}";
    client.subscribe(channel, channelAuth(KEY, SECRET, client.socketId(), channel, data), data);
    client.next("pusher_internal:subscription_succeeded");
    return client;
  }

  @Test
  void sendsOccupiedMemberAndVacatedEventsTogetherInOneSignedBody() throws Exception {
    start(App.builder("1", KEY, SECRET), null);
    WsClient client = presenceMember("presence-lobby", "5");
    assertThat(nextEvent().toString()).isEqualTo("{\"name\":\"channel_occupied\",\"channel\":\"presence-lobby\"}");
    assertThat(nextEvent().toString()).isEqualTo("{\"name\":\"member_added\",\"channel\":\"presence-lobby\",\"user_id\":\"5\"}");
    assertThat(requests.get()).as("both events in one request").isEqualTo(1);

    client.send("{\"event\":\"pusher:unsubscribe\",\"data\":{\"channel\":\"presence-lobby\"}}");
    assertThat(nextEvent().toString()).isEqualTo("{\"name\":\"member_removed\",\"channel\":\"presence-lobby\",\"user_id\":\"5\"}");
    assertThat(nextEvent().toString()).isEqualTo("{\"name\":\"channel_vacated\",\"channel\":\"presence-lobby\"}");
    assertThat(requests.get()).isEqualTo(2);
  }

  @Test
  void closesAWebhookConnectionThatIdles() throws Exception {
    server = BroadcastServer.builder().host("127.0.0.1").port(0).webhookIdleTimeout(Duration.ofSeconds(1))
        .app(App.builder("1", KEY, SECRET)
            .webhook(URI.create("http://127.0.0.1:" + receiver.getAddress().getPort() + "/hooks")).build())
        .build().start();
    WsClient client = WsClient.established(server.port(), KEY);
    clients.add(client);
    client.subscribe("idle", null, null);
    assertThat(nextEvent().get("name").asText()).isEqualTo("channel_occupied");
    assertThat(server.webhookStats("1").openConnections()).isEqualTo(1);
    for (int i = 0; i < 200 && server.webhookStats("1").openConnections() > 0; i++) {
      Thread.sleep(25);
    }
    assertThat(server.webhookStats("1").openConnections()).as("open after the idle timeout").isZero();

    client.send("{\"event\":\"pusher:unsubscribe\",\"data\":{\"channel\":\"idle\"}}");
    assertThat(nextEvent().get("name").asText()).isEqualTo("channel_vacated");
    assertThat(clientPorts).as("a new connection for the next request").hasSize(2);
  }

  @Test
  void sendsClientEventsWithTheSocketId() throws Exception {
    start(App.builder("1", KEY, SECRET), null);
    WsClient client = WsClient.established(server.port(), KEY);
    clients.add(client);
    client.subscribe("private-a", channelAuth(KEY, SECRET, client.socketId(), "private-a", null), null);
    client.next("pusher_internal:subscription_succeeded");
    assertThat(nextEvent().get("name").asText()).isEqualTo("channel_occupied");
    client.send("{\"event\":\"client-ping\",\"channel\":\"private-a\",\"data\":{\"n\":1}}");
    assertThat(nextEvent().toString()).isEqualTo("{\"name\":\"client_event\",\"channel\":\"private-a\","
        + "\"event\":\"client-ping\",\"data\":\"{\\\"n\\\":1}\",\"socket_id\":\"" + client.socketId() + "\"}");
  }

  @Test
  void sendsCacheMissWhenACacheChannelHasNothingCached() throws Exception {
    start(App.builder("1", KEY, SECRET), null);
    WsClient client = WsClient.established(server.port(), KEY);
    clients.add(client);
    client.subscribe("cache-prices", null, null);
    client.next("pusher_internal:subscription_succeeded");
    assertThat(client.next("pusher:cache_miss").toString())
        .isEqualTo("{\"event\":\"pusher:cache_miss\",\"channel\":\"cache-prices\"}");
    assertThat(nextEvent().toString()).isEqualTo("{\"name\":\"channel_occupied\",\"channel\":\"cache-prices\"}");
    assertThat(nextEvent().toString()).isEqualTo("{\"name\":\"cache_miss\",\"channel\":\"cache-prices\"}");
  }

  @Test
  void retriesARequestTheReceiverFailedWithTheSameEvents() throws Exception {
    ManualClock clock = new ManualClock();
    start(App.builder("1", KEY, SECRET), clock);
    failuresToGive.set(1);
    WsClient client = WsClient.established(server.port(), KEY);
    clients.add(client);
    client.subscribe("retry-me", null, null);
    client.next("pusher_internal:subscription_succeeded");
    clock.runNext();   // the batch window ends: first attempt, answered 503
    assertThat(clock.awaitNextDue()).isEqualTo(TimeUnit.MILLISECONDS.toNanos(250 + 1000));
    clock.runNext();
    assertThat(nextEvent().toString()).isEqualTo("{\"name\":\"channel_occupied\",\"channel\":\"retry-me\"}");
    assertThat(requests.get()).isEqualTo(2);
  }

  /**
   * A receiving app deploys for 12 s: its member_removed arrives once it is back, nothing lost.
   * Batches of two go out as soon as both events wait (no window to run), so that the departure's
   * member_removed and channel_vacated always travel together here.
   */
  @Test
  void deliversMemberRemovedAfterTheReceiverWasDownFor12Seconds() throws Exception {
    ManualClock clock = new ManualClock();
    start(App.builder("1", KEY, SECRET).webhookBatch(2, Duration.ofMillis(250)), clock);
    WsClient member = presenceMember("presence-room", "7");
    assertThat(nextEvent().get("name").asText()).isEqualTo("channel_occupied");
    assertThat(nextEvent().get("name").asText()).isEqualTo("member_added");

    down.set(true);
    long downAt = clock.nanoTime();
    int before = requests.get();
    member.close();
    awaitRequestsAbove(before);   // the first try, at once, answered 503
    List<Long> retries = new ArrayList<>();
    boolean up = false;
    while (!up && retries.size() < 20) {
      long due = clock.awaitNextDue();
      up = due - downAt >= TimeUnit.SECONDS.toNanos(12);
      down.set(!up);
      retries.add(TimeUnit.NANOSECONDS.toMillis(due - downAt));
      before = requests.get();
      clock.runNext();
      awaitRequestsAbove(before);
    }
    assertThat(nextEvent().toString()).isEqualTo("{\"name\":\"member_removed\",\"channel\":\"presence-room\",\"user_id\":\"7\"}");
    assertThat(nextEvent().toString()).isEqualTo("{\"name\":\"channel_vacated\",\"channel\":\"presence-room\"}");
    // back-off of 1, 2, 4 and 8 s: the fourth retry is the first after the outage
    assertThat(retries).containsExactly(1_000L, 3_000L, 7_000L, 15_000L);
    clock.runUntil(() -> server.webhookStats("1").sentEvents() == 4);
    assertThat(server.webhookStats("1").droppedEvents()).isZero();
  }

  @Test
  void dropsTheOldestEventsPastTheBacklogAndCountsThem() throws Exception {
    ManualClock clock = new ManualClock();
    start(App.builder("1", KEY, SECRET).webhookBacklogBytes(1024).webhookConcurrency(1), clock);
    down.set(true);
    try (RawClient client = RawClient.connect(server.port(), "/app/" + KEY + "?protocol=7")) {
      client.read();
      List<String> frames = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        frames.add("{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":\"c-" + i + "\"}}");
        frames.add("{\"event\":\"pusher:unsubscribe\",\"data\":{\"channel\":\"c-" + i + "\"}}");
      }
      client.sendAll(frames.toArray(String[]::new));
      client.sendAll("{\"event\":\"pusher:ping\",\"data\":{}}");
      while (!client.read().get("event").asText().equals("pusher:pong")) {
        // subscription answers
      }
    }
    down.set(false);
    clock.runUntil(() -> server.webhookStats("1").sentEvents() + server.webhookStats("1").droppedEvents() == 100);
    WebhookStats stats = server.webhookStats("1");
    assertThat(stats.sentEvents() + stats.droppedEvents()).isEqualTo(100);
    // each event is 43 or 44 bytes of JSON: 1024 bytes hold 23 of them at most
    assertThat(stats.droppedEvents()).isGreaterThanOrEqualTo(100 - 1024 / 43);
    List<String> received = new ArrayList<>();
    events.forEach(event -> received.add(event.get("channel").asText() + " " + event.get("name").asText()));
    List<String> newest = new ArrayList<>();
    for (int i = 50 - (int) stats.sentEvents() / 2; i < 50; i++) {
      newest.add("c-" + i + " channel_occupied");
      newest.add("c-" + i + " channel_vacated");
    }
    // (a batch dropped while its request was in flight may still have reached the receiver before the newest)
    assertThat(received).as("the newest events survive").endsWith(newest.toArray(String[]::new));
  }

  /** 10,000 events in a burst: one webhook thread, at most webhookConcurrency connections and requests. */
  @Test
  void keepsThreadsAndConnectionsWithinBoundsThrough10000Events() throws Exception {
    start(App.builder("1", KEY, SECRET).webhookConcurrency(2), null);
    var threads = ManagementFactory.getThreadMXBean();
    try (RawClient client = RawClient.connect(server.port(), "/app/" + KEY + "?protocol=7")) {
      client.read();
      client.sendAll("{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":\"warm-up\"}}");
      assertThat(nextEvent().get("name").asText()).isEqualTo("channel_occupied");
      int baseline = threads.getThreadCount();
      AtomicInteger peak = new AtomicInteger(baseline);
      AtomicBoolean sampling = new AtomicBoolean(true);
      Thread sampler = new Thread(() -> {
        while (sampling.get()) {
          peak.accumulateAndGet(threads.getThreadCount(), Math::max);
          try {
            Thread.sleep(1);
          } catch (InterruptedException e) {
            return;
          }
        }
      });
      sampler.start();
      int baselineThreads = threads.getThreadCount();
      for (int batch = 0; batch < 10; batch++) {
        List<String> frames = new ArrayList<>();
        for (int i = batch * 500; i < (batch + 1) * 500; i++) {
          frames.add("{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":\"burst-" + i + "\"}}");
          frames.add("{\"event\":\"pusher:unsubscribe\",\"data\":{\"channel\":\"burst-" + i + "\"}}");
        }
        client.sendAll(frames.toArray(String[]::new));
      }
      for (int i = 0; i < 10_000; i++) {
        assertThat(events.poll(20, TimeUnit.SECONDS)).as("event " + i).isNotNull();
      }
      sampling.set(false);
      sampler.join();
      long webhookThreads = Thread.getAllStackTraces().keySet().stream()
          .filter(t -> t.getName().startsWith("broadcast-server-webhooks")).count();
      System.out.printf("10,000-event burst: %d requests, at most %d in flight, %d connections, "
          + "JVM threads %d before and at most %d during (sampler included), %d webhook thread%n",
          requests.get() - 1, mostInFlight.get(), clientPorts.size(), baselineThreads, peak.get(), webhookThreads);
      assertThat(webhookThreads).isEqualTo(1);
      assertThat(mostInFlight.get()).isLessThanOrEqualTo(2);
      assertThat(clientPorts).as("connections the sender opened").hasSizeLessThanOrEqualTo(2);
      assertThat(peak.get() - baselineThreads).as("threads added during the burst").isLessThanOrEqualTo(2);
      assertThat(requests.get() - 1).as("requests of at most 20 events").isBetween(500, 10_000);
      assertThat(server.webhookStats("1").droppedEvents()).isZero();
    }
  }

  /** The attempt is real I/O: waits until the receiver has seen it. */
  private void awaitRequestsAbove(int before) throws InterruptedException {
    for (int i = 0; i < 2000 && requests.get() <= before; i++) {
      Thread.sleep(5);
    }
    assertThat(requests.get()).isGreaterThan(before);
  }
}
