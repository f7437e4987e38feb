package dev.broadcasting.pusher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import dev.broadcasting.BroadcastException;
import dev.broadcasting.Channel;
import dev.broadcasting.PresenceChannel;
import dev.broadcasting.PrivateChannel;
import dev.broadcasting.pusher.internal.EventSender;
import dev.broadcasting.pusher.protocol.JavaxHmac;
import dev.broadcasting.pusher.protocol.PusherVectors;
import dev.broadcasting.spi.BroadcastMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;

class PusherBroadcastDriverTest extends AgainstPusherPeer {
  @Test
  void triggersAnEventWithItsDataAsAJsonStringAndASignedQuery() throws Exception {
    String payload = "{\"orderId\":42,\"note\":\"h\\u00e9 \\\"x\\\"\"}";
    BroadcastMessage message = BroadcastMessage.of("OrderShipped",
        List.of(new Channel("orders"), new PrivateChannel("orders.42")), payload, "1234.5678", null);

    driver.publish(message).get(10, TimeUnit.SECONDS);

    PusherPeer.Received got = peer.takeSigned();
    assertThat(got.method()).isEqualTo("POST");
    assertThat(got.path()).isEqualTo("/apps/3/events");
    assertThat(got.query().keySet())
        .containsExactly("auth_key", "auth_signature", "auth_timestamp", "auth_version", "body_md5");
    assertThat(got.query().get("auth_key")).isEqualTo(peer.key);
    assertThat(got.query().get("body_md5")).isEqualTo(JavaxHmac.md5(got.body()));
    long skew = Math.abs(Long.parseLong(got.query().get("auth_timestamp")) - System.currentTimeMillis() / 1000);
    assertThat(skew).isLessThan(600);
    assertThat(got.contentType()).startsWith("application/json");
    assertThat(got.json()).isEqualTo(PusherPeer.JSON.readTree("{\"name\":\"OrderShipped\","
        + "\"channels\":[\"orders\",\"private-orders.42\"],\"data\":" + PusherPeer.JSON.writeValueAsString(payload)
        + ",\"socket_id\":\"1234.5678\"}"));
    assertThat(got.json().get("data").asText()).isEqualTo(payload);
  }

  @Test
  void writesTheDocumentedBodyByteForByte() throws Exception {
    JsonNode v = PusherVectors.get("http_request_signature");
    driver.publish(BroadcastMessage.of("foo", List.of(new Channel("project-3")), "{\"some\":\"data\"}"))
        .get(10, TimeUnit.SECONDS);

    PusherPeer.Received got = peer.takeSigned();
    assertThat(got.bodyText()).isEqualTo(v.get("body").asText());
    assertThat(got.query().get("body_md5")).isEqualTo(v.get("body_md5").asText());
    assertThat(got.json().has("socket_id")).isFalse();
  }

  @Test
  void enforcesTheDocumentedLimits() {
    JsonNode limits = PusherVectors.get("limits");
    assertThat(EventSender.MAX_CHANNELS_PER_EVENT).isEqualTo(limits.get("channels_per_trigger").asInt());
    assertThat(EventSender.MAX_EVENTS_PER_BATCH).isEqualTo(limits.get("events_per_batch").asInt());
    assertThat(EventSender.MAX_EVENT_NAME).isEqualTo(limits.get("event_name_max").asInt());
    assertThat(PusherBroadcastDriver.Builder.DEFAULT_PAYLOAD_LIMIT).isEqualTo(limits.get("event_data_bytes").asInt());
  }

  @Test
  void splitsMoreThanAHundredChannelsIntoSeveralRequests() throws Exception {
    List<Channel> channels = IntStream.range(0, 250).mapToObj(i -> new Channel("c." + i)).collect(Collectors.toList());
    driver.publish(BroadcastMessage.of("Wide", channels, "{}")).get(10, TimeUnit.SECONDS);

    List<String> delivered = new ArrayList<>();
    List<Integer> sizes = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      JsonNode body = peer.takeSigned().json();
      sizes.add(body.get("channels").size());
      body.get("channels").forEach(c -> delivered.add(c.asText()));
    }
    assertThat(sizes).containsExactlyInAnyOrder(100, 100, 50);
    assertThat(delivered).containsExactlyInAnyOrderElementsOf(channels.stream().map(Channel::name).toList());
    assertThat(peer.poll(200)).isNull();
  }

  @Test
  void refusesDataOverTheLimitBeforeSending() throws Exception {
    String payload = "{\"t\":\"" + "x".repeat(10240 - 8 + 1) + "\"}";
    assertThat(payload.length()).isEqualTo(10241);

    BroadcastException error = failure(driver.publish(BroadcastMessage.of("Big", List.of(new Channel("a")), payload)));

    assertThat(error.isRetryable()).isFalse();
    assertThat(error.getMessage()).contains("10241 bytes").contains("limit of 10240 bytes");
    assertThat(peer.requestCount()).isZero();

    String atLimit = payload.substring(0, 10236) + "\"}";
    driver.publish(BroadcastMessage.of("Big", List.of(new Channel("a")), atLimit)).get(10, TimeUnit.SECONDS);
    assertThat(peer.takeSigned().json().get("data").asText()).hasSize(10238);
  }

  @Test
  void takesALargerLimitForASelfHostedServer() throws Exception {
    try (PusherBroadcastDriver big = peer.driver().payloadLimit(64 * 1024).build()) {
      String payload = "{\"t\":\"" + "x".repeat(40_000) + "\"}";
      big.publish(BroadcastMessage.of("Big", List.of(new Channel("a")), payload)).get(10, TimeUnit.SECONDS);
      assertThat(peer.takeSigned().json().get("data").asText()).isEqualTo(payload);
    }
  }

  @Test
  void publishesSeveralEventsThroughBatchEventsTenAtATimeInOrder() throws Exception {
    List<BroadcastMessage> messages = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      messages.add(BroadcastMessage.of("E" + i, List.of(new Channel("feed")), "{\"i\":" + i + "}"));
    }
    messages.add(BroadcastMessage.of("Both", List.of(new Channel("a"), new PresenceChannel("b")), "{}",
        "1.2", null));

    driver.publishAll(messages).get(10, TimeUnit.SECONDS);

    PusherPeer.Received first = peer.takeSigned();
    PusherPeer.Received second = peer.takeSigned();
    assertThat(first.path()).isEqualTo("/apps/3/batch_events");
    assertThat(second.path()).isEqualTo("/apps/3/batch_events");
    assertThat(first.json().get("batch")).hasSize(10);
    assertThat(second.json().get("batch")).hasSize(4);
    List<String> names = new ArrayList<>();
    first.json().get("batch").forEach(item -> names.add(item.get("name").asText()));
    second.json().get("batch").forEach(item -> names.add(item.get("name").asText()));
    assertThat(names).containsExactly("E0", "E1", "E2", "E3", "E4", "E5", "E6", "E7", "E8", "E9", "E10", "E11",
        "Both", "Both");
    assertThat(first.json().get("batch").get(3)).isEqualTo(PusherPeer.JSON.readTree(
        "{\"channel\":\"feed\",\"name\":\"E3\",\"data\":\"{\\\"i\\\":3}\"}"));
    assertThat(second.json().get("batch").get(3)).isEqualTo(PusherPeer.JSON.readTree(
        "{\"channel\":\"presence-b\",\"name\":\"Both\",\"data\":\"{}\",\"socket_id\":\"1.2\"}"));
    assertThat(peer.poll(200)).isNull();
  }

  @Test
  void answersOf4xxFailForGoodWithStatusAndBody() {
    peer.answer(403, "Invalid signature: you should have sent HmacSHA256Hex(...)");

    BroadcastException error = failure(driver.publish(BroadcastMessage.of("E", List.of(new Channel("a")), "{}")));

    assertThat(error.isRetryable()).isFalse();
    assertThat(error.httpStatus()).isEqualTo(403);
    assertThat(error.getMessage()).contains("403").contains("Invalid signature").contains("/apps/3/events")
        .doesNotContain(peer.secret);
  }

  @Test
  void answersOf5xxAndTooManyRequestsAreRetryable() {
    peer.answer(503, "upstream down");
    BroadcastException error = failure(driver.publish(BroadcastMessage.of("E", List.of(new Channel("a")), "{}")));
    assertThat(error.isRetryable()).isTrue();
    assertThat(error.httpStatus()).isEqualTo(503);
    assertThat(error.providerCode()).isZero();
    assertThat(error.getMessage()).contains("upstream down");

    peer.answer(429, "slow down");
    BroadcastException limited = failure(driver.publish(BroadcastMessage.of("E", List.of(new Channel("a")), "{}")));
    assertThat(limited.isRetryable()).isTrue();
    assertThat(limited.httpStatus()).isEqualTo(429);
  }

  @Test
  void aTimeoutIsRetryable() {
    peer.answer(new mockwebserver3.MockResponse.Builder().code(200).body("{}")
        .headersDelay(3, TimeUnit.SECONDS).build());
    try (PusherBroadcastDriver impatient = peer.driver().readTimeout(java.time.Duration.ofMillis(200)).build()) {
      BroadcastException error = failure(impatient.publish(BroadcastMessage.of("E", List.of(new Channel("a")), "{}")));
      assertThat(error.isRetryable()).isTrue();
      assertThat(error.httpStatus()).isZero();
      assertThat(error.getCause()).isInstanceOf(java.io.InterruptedIOException.class);
    }
  }

  @Test
  void aRefusedConnectionIsRetryable() throws Exception {
    int port;
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    try (PusherBroadcastDriver nowhere = peer.driver().port(port).build()) {
      BroadcastException error = failure(nowhere.publish(BroadcastMessage.of("E", List.of(new Channel("a")), "{}")));
      assertThat(error.isRetryable()).isTrue();
      assertThat(error.getMessage()).contains("127.0.0.1:" + port).doesNotContain(peer.secret);
    }
  }

  @Test
  void refusesAnInvalidSocketIdAndATooLongEventNameWithoutSending() {
    BroadcastException socket = failure(driver.publish(
        BroadcastMessage.of("E", List.of(new Channel("a")), "{}", "not-a-socket", null)));
    assertThat(socket.getMessage()).contains("\"not-a-socket\"");
    BroadcastException name = failure(driver.publish(BroadcastMessage.of("E".repeat(201), List.of(new Channel("a")), "{}")));
    assertThat(name.getMessage()).contains("201 characters");
    assertThat(peer.requestCount()).isZero();
  }

  @Test
  void leavesTheApplicationsClientOpenAndClosesItsOwn() throws Exception {
    OkHttpClient shared = new OkHttpClient();
    try {
      PusherBroadcastDriver onShared = peer.driver().client(shared).callTimeout(java.time.Duration.ofSeconds(5)).build();
      onShared.publish(BroadcastMessage.of("E", List.of(new Channel("a")), "{}")).get(10, TimeUnit.SECONDS);
      onShared.close();
      onShared.close();
      assertThat(shared.dispatcher().executorService().isShutdown()).isFalse();
      assertThat(failure(onShared.publish(BroadcastMessage.of("E", List.of(new Channel("a")), "{}"))).getMessage())
          .contains("closed");
      assertThat(peer.requestCount()).isEqualTo(1);
    } finally {
      shared.dispatcher().executorService().shutdown();
      shared.connectionPool().evictAll();
    }
  }

  @Test
  void sendsWithNagleOff() throws Exception {
    // on the application's client, to see the socket: a body written in parts waited up to 40 ms
    // for the server's delayed acknowledgement with Nagle on (NoDelaySockets)
    List<Boolean> noDelay = new CopyOnWriteArrayList<>();
    OkHttpClient shared = new OkHttpClient.Builder().addNetworkInterceptor(chain -> {
      noDelay.add(chain.connection().socket().getTcpNoDelay());
      return chain.proceed(chain.request());
    }).build();
    try (PusherBroadcastDriver onShared = peer.driver().client(shared).build()) {
      onShared.publish(BroadcastMessage.of("E", List.of(new Channel("a")), "{}")).get(10, TimeUnit.SECONDS);
    } finally {
      shared.dispatcher().executorService().shutdown();
      shared.connectionPool().evictAll();
    }
    assertThat(noDelay).containsExactly(true);
  }

  @Test
  void showsNoSecretInToString() {
    assertThat(driver.toString()).contains("appId=3").contains(peer.key).doesNotContain(peer.secret);
    PusherBroadcastDriver encrypted = peer.driver().encryptionMasterKeyBase64(MASTER_KEY).build();
    assertThat(encrypted.toString()).contains("encrypted=true").doesNotContain(MASTER_KEY).doesNotContain(peer.secret);
    encrypted.close();
  }

  static final String MASTER_KEY = "zyrm8pvV2C9fJcBfhyXzvxbJVN/H7QLmbe0xJi1GhPU=";

  static BroadcastException failure(CompletableFuture<?> future) {
    Throwable thrown = catchThrowable(() -> future.get(20, TimeUnit.SECONDS));
    assertThat(thrown).isInstanceOf(ExecutionException.class);
    assertThat(thrown.getCause()).isInstanceOf(BroadcastException.class);
    return (BroadcastException) thrown.getCause();
  }
}
