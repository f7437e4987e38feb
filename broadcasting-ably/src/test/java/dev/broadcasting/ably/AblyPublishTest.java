package dev.broadcasting.ably;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.broadcasting.BroadcastException;
import dev.broadcasting.Channel;
import dev.broadcasting.PresenceChannel;
import dev.broadcasting.PrivateChannel;
import dev.broadcasting.spi.BroadcastMessage;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.Test;

class AblyPublishTest extends AgainstFakeAbly {
  private static final ObjectMapper JSON = new ObjectMapper();


  @Test
  void postsOneChannelWithPercentEncodedNameBasicAuthAndJsonEncodedData() throws Exception {
    BroadcastMessage message = BroadcastMessage.of("NewMessage", List.of(new PrivateChannel("chat.1")),
        "{\"message\":\"hi\"}");
    driver.publish(message).get(5, TimeUnit.SECONDS);

    assertThat(ably.requests).hasSize(1);
    RecordedRequest request = ably.requests.get(0);
    assertThat(request.getMethod()).isEqualTo("POST");
    assertThat(request.getTarget()).isEqualTo("/channels/private%3Achat.1/messages");
    assertThat(request.getHeaders().get("Authorization")).isEqualTo(FakeAbly.BASIC);
    assertThat(request.getHeaders().get("Content-Type")).startsWith("application/json");
    assertThat(request.getHeaders().get("X-Ably-Version")).isEqualTo("2");
    assertThat(request.getHeaders().get("Ably-Agent")).startsWith("broadcasting-java/");
    JsonNode body = JSON.readTree(request.getBody().utf8());
    assertThat(body.isArray()).isTrue();
    assertThat(body).hasSize(1);
    JsonNode sent = body.get(0);
    assertThat(sent.get("name").asText()).isEqualTo("NewMessage");
    assertThat(sent.get("data").isTextual()).isTrue();
    assertThat(sent.get("data").asText()).isEqualTo("{\"message\":\"hi\"}");
    assertThat(sent.get("encoding").asText()).isEqualTo("json");
    assertThat(sent.get("id").asText()).isEqualTo(expectedId(message));
    assertThat(fieldNames(sent)).containsExactlyInAnyOrder("name", "data", "encoding", "id");
  }

  @Test
  void mapsChannelNamesAsLaravelDoes() throws Exception {
    for (Channel channel : List.of(new Channel("orders"), new PresenceChannel("room.7"), new Channel("a=b@c,d;e"))) {
      driver.publish(BroadcastMessage.of("E", List.of(channel), "{}")).get(5, TimeUnit.SECONDS);
    }
    assertThat(ably.requests).extracting(RecordedRequest::getTarget).containsExactly(
        "/channels/public%3Aorders/messages",
        "/channels/presence%3Aroom.7/messages",
        "/channels/public%3Aa%3Db%40c%2Cd%3Be/messages");
  }

  @Test
  void channelNameMappingIsConfigurable() throws Exception {
    AblyBroadcastDriver custom = ably.driver().channelNames(name -> "app:" + name).build();
    custom.publish(BroadcastMessage.of("E", List.of(new PrivateChannel("x")), "{}")).get(5, TimeUnit.SECONDS);
    custom.close();
    assertThat(ably.requests.get(0).getTarget()).isEqualTo("/channels/app%3Aprivate-x/messages");
  }

  @Test
  void oneEventOnManyChannelsGoesOutAsBatchesOfAtMostOneHundredChannelsWithOneId() throws Exception {
    List<Channel> channels = IntStream.range(0, 250).mapToObj(i -> new Channel("c" + i)).collect(Collectors.toList());
    BroadcastMessage message = BroadcastMessage.of("Fanout", channels, "{\"n\":1}");
    ably.answer = request -> FakeAbly.json(201, "[]");
    driver.publish(message).get(5, TimeUnit.SECONDS);

    assertThat(ably.requests).hasSize(3);
    List<String> seen = new ArrayList<>();
    List<Integer> sizes = new ArrayList<>();
    for (RecordedRequest request : ably.requests) {
      assertThat(request.getMethod()).isEqualTo("POST");
      assertThat(request.getTarget()).isEqualTo("/messages");
      assertThat(request.getHeaders().get("Authorization")).isEqualTo(FakeAbly.BASIC);
      JsonNode body = JSON.readTree(request.getBody().utf8());
      sizes.add(body.get("channels").size());
      body.get("channels").forEach(c -> seen.add(c.asText()));
      JsonNode messages = body.get("messages");
      assertThat(messages).hasSize(1);
      assertThat(messages.get(0).get("name").asText()).isEqualTo("Fanout");
      assertThat(messages.get(0).get("data").asText()).isEqualTo("{\"n\":1}");
      assertThat(messages.get(0).get("encoding").asText()).isEqualTo("json");
      assertThat(messages.get(0).get("id").asText()).isEqualTo(expectedId(message));
    }
    assertThat(sizes).containsExactlyInAnyOrder(100, 100, 50);
    assertThat(seen).containsExactlyInAnyOrderElementsOf(
        IntStream.range(0, 250).mapToObj(i -> "public:c" + i).collect(Collectors.toList()));
  }

  @Test
  void partialBatchFailureNamesTheFailedChannels() {
    ably.answer = request -> FakeAbly.json(400, "{\"error\":{\"code\":40020,\"statusCode\":400,"
        + "\"message\":\"Batched response includes errors\"},\"batchResponse\":["
        + "{\"channel\":\"public:a\",\"messageId\":\"m1\"},"
        + "{\"channel\":\"public:b\",\"error\":{\"code\":40160,\"statusCode\":401,\"message\":\"not permitted\"}},"
        + "{\"channel\":\"public:c\",\"error\":{\"code\":40160,\"statusCode\":401,\"message\":\"not permitted\"}}]}");
    BroadcastMessage message = BroadcastMessage.of("E", List.of(new Channel("a"), new Channel("b"), new Channel("c")), "{}");

    BroadcastException error = failure(message);
    assertThat(error.providerCode()).isEqualTo(40020);
    assertThat(error.isRetryable()).isFalse();
    assertThat(error.getMessage()).contains("not to 2 channels")
        .contains("public:b (40160: not permitted)").contains("public:c (40160: not permitted)")
        .doesNotContain("public:a (");
    assertThat(ably.requests).hasSize(1);
  }

  @Test
  void partialFailureOnAblysSideIsRetryable() {
    ably.answer = request -> FakeAbly.json(400, "{\"error\":{\"code\":40020,\"statusCode\":400,\"message\":\"x\"},"
        + "\"batchResponse\":[{\"channel\":\"public:a\",\"error\":{\"code\":50000,\"statusCode\":500,\"message\":\"internal\"}},"
        + "{\"channel\":\"public:b\",\"messageId\":\"m\"}]}");
    BroadcastException error = failure(BroadcastMessage.of("E", List.of(new Channel("a"), new Channel("b")), "{}"));
    assertThat(error.isRetryable()).isTrue();
    assertThat(error.getMessage()).contains("public:a (50000: internal)");
  }

  @Test
  void clientErrorIsNotRetriedAndCarriesAblysCode() {
    ably.answer = request -> FakeAbly.error(401, 40101, "Invalid credentials");
    BroadcastException error = failure(BroadcastMessage.of("E", List.of(new Channel("a")), "{}"));

    assertThat(ably.requests).hasSize(1);
    assertThat(error.isRetryable()).isFalse();
    assertThat(error.providerCode()).isEqualTo(40101);
    assertThat(error.getMessage()).contains("HTTP 401").contains("code 40101").contains("Invalid credentials")
        .contains("ABLY_KEY").doesNotContain("keySecret");
  }

  @Test
  void serverErrorWithoutFallbacksIsRetryableForCore() {
    ably.answer = request -> FakeAbly.error(503, 50300, "unavailable");
    BroadcastException error = failure(BroadcastMessage.of("E", List.of(new Channel("a")), "{}"));
    assertThat(ably.requests).hasSize(1);
    assertThat(error.isRetryable()).isTrue();
    assertThat(error.providerCode()).isEqualTo(50300);
    assertThat(error.httpStatus()).isEqualTo(503);
  }

  @Test
  void messageOverTheSizeLimitFailsBeforeSendingWithBothSizes() {
    AblyBroadcastDriver small = ably.driver().maxMessageSize(100).build();
    String payload = "{\"text\":\"" + "x".repeat(100) + "\"}";
    BroadcastMessage message = BroadcastMessage.of("Big", List.of(new Channel("a")), payload);
    assertThatThrownBy(() -> small.publish(message).get(5, TimeUnit.SECONDS))
        .cause().isInstanceOfSatisfying(BroadcastException.class, e -> {
          assertThat(e.isRetryable()).isFalse();
          assertThat(e.providerCode()).isEqualTo(40009);
          assertThat(e.getMessage()).contains((payload.length() + 3) + " bytes").contains("limit of 100 bytes");
        });
    small.close();
    assertThat(ably.requests).isEmpty();
  }

  @Test
  void defaultSizeLimitIsSixtyFourKibibytes() throws Exception {
    String fits = "{\"t\":\"" + "x".repeat(65536 - 8 - 1) + "\"}"; // 65535 bytes + event name "E" = 65536
    driver.publish(BroadcastMessage.of("E", List.of(new Channel("a")), fits)).get(5, TimeUnit.SECONDS);
    String over = "{\"t\":\"" + "x".repeat(65536 - 8) + "\"}"; // one byte more
    assertThat(failure(BroadcastMessage.of("E", List.of(new Channel("a")), over)).providerCode()).isEqualTo(40009);
    assertThat(ably.requests).hasSize(1);
  }

  @Test
  void echoSocketIdBecomesConnectionKeyAndClientId() throws Exception {
    String socketId = Base64.getUrlEncoder().withoutPadding().encodeToString(
        "{\"connectionKey\":\"abc!def-123\",\"clientId\":\"user-7\"}".getBytes(StandardCharsets.UTF_8));
    driver.publish(BroadcastMessage.of("E", List.of(new Channel("a")), "{}", socketId, null)).get(5, TimeUnit.SECONDS);
    JsonNode sent = JSON.readTree(ably.requests.get(0).getBody().utf8()).get(0);
    assertThat(sent.get("connectionKey").asText()).isEqualTo("abc!def-123");
    assertThat(sent.get("clientId").asText()).isEqualTo("user-7");
  }

  @Test
  void echoSocketIdOfAnAnonymousClientHasNoClientId() throws Exception {
    String socketId = Base64.getUrlEncoder().withoutPadding().encodeToString(
        "{\"connectionKey\":\"k1\",\"clientId\":null}".getBytes(StandardCharsets.UTF_8));
    driver.publish(BroadcastMessage.of("E", List.of(new Channel("a"), new Channel("b")), "{}", socketId, null))
        .get(5, TimeUnit.SECONDS);
    JsonNode sent = JSON.readTree(ably.requests.get(0).getBody().utf8()).get("messages").get(0);
    assertThat(sent.get("connectionKey").asText()).isEqualTo("k1");
    assertThat(sent.has("clientId")).isFalse();
  }

  @Test
  void pusherStyleSocketIdIsIgnored() throws Exception {
    driver.publish(BroadcastMessage.of("E", List.of(new Channel("a")), "{}", "1234.5678", null)).get(5, TimeUnit.SECONDS);
    JsonNode sent = JSON.readTree(ably.requests.get(0).getBody().utf8()).get(0);
    assertThat(fieldNames(sent)).containsExactlyInAnyOrder("name", "data", "encoding", "id");
  }

  @Test
  void malformedSocketIdFailsWithoutSending() {
    BroadcastException error = failure(BroadcastMessage.of("E", List.of(new Channel("a")), "{}", "not base64 !", null));
    assertThat(error.isRetryable()).isFalse();
    assertThat(error.getMessage()).contains("@ably/laravel-echo").contains("X-Socket-ID");
    assertThat(ably.requests).isEmpty();
  }

  @Test
  void closedDriverRefusesAndLeavesTheApplicationsClientOpen() throws Exception {
    okhttp3.OkHttpClient mine = new okhttp3.OkHttpClient();
    AblyBroadcastDriver shared = ably.driver().httpClient(mine).build();
    shared.publish(BroadcastMessage.of("E", List.of(new Channel("a")), "{}")).get(5, TimeUnit.SECONDS);
    shared.close();
    shared.close();
    assertThat(shared.publish(BroadcastMessage.of("E", List.of(new Channel("a")), "{}"))).isCompletedExceptionally();
    assertThat(mine.dispatcher().executorService().isShutdown()).isFalse();
    mine.dispatcher().executorService().shutdown();
  }

  private BroadcastException failure(BroadcastMessage message) {
    try {
      driver.publish(message).get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(BroadcastException.class);
      return (BroadcastException) e.getCause();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    throw new AssertionError("expected the publish to fail");
  }

  /** The documented id form, worked out here from core's id rather than by the driver's code. */
  static String expectedId(BroadcastMessage message) {
    return expectedBase(message) + ":0";
  }

  /** The id base of a request whose first message is {@code message}: its core id in standard base64. */
  static String expectedBase(BroadcastMessage message) {
    byte[] bytes = Base64.getUrlDecoder().decode(message.id());
    assertThat(bytes.length).isGreaterThanOrEqualTo(9);
    return Base64.getEncoder().encodeToString(bytes);
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
