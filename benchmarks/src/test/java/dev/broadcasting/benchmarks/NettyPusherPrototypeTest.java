package dev.broadcasting.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.broadcasting.BroadcastException;
import dev.broadcasting.PrivateChannel;
import dev.broadcasting.pusher.PusherBroadcastDriver;
import dev.broadcasting.spi.BroadcastDriver;
import dev.broadcasting.spi.BroadcastMessage;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The prototype measures the real driver's requests: the same targets and bodies, signed as Pusher
 * checks them; and it keeps the bounds and the cancel it claims.
 */
class NettyPusherPrototypeTest {
  private final MockWebServer server = new MockWebServer();
  private PusherBroadcastDriver real;
  private NettyPusherPrototype prototype;

  @BeforeEach
  void start() throws Exception {
    server.start();
    real = PusherBroadcastDriver.builder().appId(AuthBenchmark.APP_ID).key(AuthBenchmark.KEY)
        .secret(AuthBenchmark.SECRET).host("127.0.0.1").port(server.getPort()).scheme("http").build();
    prototype = new NettyPusherPrototype("127.0.0.1", server.getPort(), AuthBenchmark.APP_ID, AuthBenchmark.KEY,
        AuthBenchmark.SECRET);
  }

  @AfterEach
  void stop() {
    real.close();
    prototype.close();
    server.close();
  }

  @Test
  void sendsTheRealDriversBatchesAndEvents() throws Exception {
    // 12 coalesced events, the third on two channels: 13 items, so requests of 10 and 3 items
    List<BroadcastMessage> messages = IntStream.range(0, 12).mapToObj(i -> BroadcastMessage.of("OrderShipped",
            i == 2 ? List.of(new PrivateChannel("orders.2"), new PrivateChannel("orders.x")) : List.of(new PrivateChannel("orders." + i)),
            "{\"text\":\"\\u00e9 " + i + "\"}"))
        .toList();
    BroadcastMessage single = BroadcastMessage.of("OrderShipped", List.of(new PrivateChannel("orders.1")), "{}");

    List<RecordedRequest> fromReal = send(real, messages, single);
    List<RecordedRequest> fromPrototype = send(prototype, messages, single);

    assertThat(fromPrototype).hasSize(3);
    for (int i = 0; i < 3; i++) {
      RecordedRequest expected = fromReal.get(i);
      RecordedRequest actual = fromPrototype.get(i);
      assertThat(actual.getMethod()).isEqualTo("POST");
      assertThat(path(actual)).isEqualTo(path(expected));
      assertThat(actual.getBody().utf8()).isEqualTo(expected.getBody().utf8());
      assertThat(actual.getHeaders().get("Content-Type")).isEqualTo(expected.getHeaders().get("Content-Type"));
      assertThat(query(actual).keySet()).isEqualTo(query(expected).keySet());
      assertThat(query(actual).get("body_md5")).isEqualTo(query(expected).get("body_md5"));
      assertThat(query(actual).get("auth_signature")).isEqualTo(signature(path(actual), query(actual)));
    }
    assertThat(path(fromPrototype.get(0))).isEqualTo("/apps/" + AuthBenchmark.APP_ID + "/batch_events");
    assertThat(fromPrototype.get(1).getBody().utf8()).startsWith("{\"batch\":[{\"channel\":\"private-orders.9\"");
    assertThat(path(fromPrototype.get(2))).isEqualTo("/apps/" + AuthBenchmark.APP_ID + "/events");
  }

  @Test
  void failsOnA4xxForGoodAndOnA5xxRetryably() throws Exception {
    BroadcastMessage message = BroadcastMessage.of("OrderShipped", List.of(new PrivateChannel("orders.1")), "{}");
    server.enqueue(new MockResponse.Builder().code(413).body("{\"error\":\"too big\"}").build());
    server.enqueue(new MockResponse.Builder().code(503).body("busy").build());

    BroadcastException refused = failure(prototype.publish(message));
    BroadcastException busy = failure(prototype.publish(message));

    assertThat(refused.isRetryable()).isFalse();
    assertThat(refused.httpStatus()).isEqualTo(413);
    assertThat(refused.getMessage()).contains("too big");
    assertThat(busy.isRetryable()).isTrue();
    assertThat(busy.httpStatus()).isEqualTo(503);
  }

  @Test
  void aCancelClosesTheConnectionInFlight() throws Exception {
    server.enqueue(new MockResponse.Builder().headersDelay(30, TimeUnit.SECONDS).code(200).body("{}").build());
    CompletableFuture<Void> sent = prototype.publish(
        BroadcastMessage.of("OrderShipped", List.of(new PrivateChannel("orders.1")), "{}"));
    server.takeRequest(10, TimeUnit.SECONDS);
    assertThat(prototype.openAndWaiting()).containsExactly(1, 0);

    sent.cancel(true);

    assertThat(awaitOpen(0)).isZero();
  }

  @Test
  void opensAtMost64ConnectionsAndQueuesTheRest() throws Exception {
    for (int i = 0; i < NettyPusherPrototype.MAX_CONNECTIONS + 1; i++) {
      server.enqueue(new MockResponse.Builder().headersDelay(30, TimeUnit.SECONDS).code(200).body("{}").build());
    }
    for (int i = 0; i < NettyPusherPrototype.MAX_CONNECTIONS + 1; i++) {
      prototype.publish(BroadcastMessage.of("OrderShipped", List.of(new PrivateChannel("orders." + i)), "{}"));
    }
    for (int i = 0; i < NettyPusherPrototype.MAX_CONNECTIONS; i++) {
      assertThat(server.takeRequest(10, TimeUnit.SECONDS)).isNotNull();
    }

    assertThat(prototype.openAndWaiting()).containsExactly(NettyPusherPrototype.MAX_CONNECTIONS, 1);
  }

  /** Polls the open connections until they are {@code expected} or 10 s passed; returns the last count. */
  private int awaitOpen(int expected) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    int open;
    while ((open = prototype.openAndWaiting()[0]) != expected && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    return open;
  }

  private List<RecordedRequest> send(BroadcastDriver driver, List<BroadcastMessage> batch, BroadcastMessage single)
      throws Exception {
    for (int i = 0; i < 3; i++) {
      server.enqueue(new MockResponse.Builder().code(200).body("{}").build());
    }
    CompletableFuture.allOf(driver.publishBatch(batch).toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
    driver.publish(single).get(10, TimeUnit.SECONDS);
    List<RecordedRequest> requests = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      requests.add(server.takeRequest(10, TimeUnit.SECONDS));
    }
    return requests;
  }

  private static BroadcastException failure(CompletableFuture<Void> sent) throws Exception {
    try {
      sent.get(10, TimeUnit.SECONDS);
      throw new AssertionError("succeeded");
    } catch (ExecutionException e) {
      return (BroadcastException) e.getCause();
    }
  }

  private static String path(RecordedRequest request) {
    return request.getTarget().substring(0, request.getTarget().indexOf('?'));
  }

  private static Map<String, String> query(RecordedRequest request) {
    String target = request.getTarget();
    return List.of(target.substring(target.indexOf('?') + 1).split("&")).stream().map(pair -> pair.split("=", 2))
        .collect(Collectors.toMap(pair -> pair[0], pair -> pair[1], (a, b) -> a, TreeMap::new));
  }

  /** Pusher's request signature, computed here from its documentation rather than by the project's signer. */
  private static String signature(String path, Map<String, String> query) throws Exception {
    String signed = query.entrySet().stream().filter(entry -> !entry.getKey().equals("auth_signature"))
        .map(entry -> entry.getKey() + "=" + entry.getValue()).collect(Collectors.joining("&"));
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(AuthBenchmark.SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    return HexFormat.of().formatHex(mac.doFinal(("POST\n" + path + "\n" + signed).getBytes(StandardCharsets.UTF_8)));
  }
}
