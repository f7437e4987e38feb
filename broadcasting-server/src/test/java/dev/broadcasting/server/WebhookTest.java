package dev.broadcasting.server;

import static dev.broadcasting.server.TestSignatures.channelAuth;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Webhooks as a receiver sees them: body, key, and a signature checked with the test's own HMAC. */
class WebhookTest {
  private static final String KEY = "hook-key";
  private static final String SECRET = "hook-secret";

  private record Received(String body, String key, String signature) {}

  private HttpServer receiver;
  private BroadcastServer server;
  private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
  private final AtomicInteger failuresToGive = new AtomicInteger();
  private final List<WsClient> clients = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.createContext("/hooks", exchange -> {
      String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      received.add(new Received(body, exchange.getRequestHeaders().getFirst("X-Pusher-Key"),
          exchange.getRequestHeaders().getFirst("X-Pusher-Signature")));
      exchange.sendResponseHeaders(failuresToGive.getAndDecrement() > 0 ? 500 : 200, -1);
      exchange.close();
    });
    receiver.start();
    server = BroadcastServer.builder().host("127.0.0.1").port(0)
        .app(App.builder("1", KEY, SECRET)
            .webhook(URI.create("http://127.0.0.1:" + receiver.getAddress().getPort() + "/hooks")).build())
        .build().start();
  }

  @AfterEach
  void stop() {
    clients.forEach(WsClient::close);
    server.close();
    receiver.stop(0);
  }

  private JsonNode nextEvent() throws Exception {
    Received hook = received.poll(15, TimeUnit.SECONDS);
    assertThat(hook).as("a webhook").isNotNull();
    assertThat(hook.key()).isEqualTo(KEY);
    assertThat(hook.signature()).isEqualTo(TestSignatures.hmacHex(SECRET, hook.body()));
    JsonNode body = WsClient.JSON.readTree(hook.body());
    assertThat(body.get("time_ms").asLong()).isPositive();
    assertThat(body.get("events")).hasSize(1);
    return body.get("events").get(0);
  }

  @Test
  void sendsOccupiedMemberAndVacatedEventsSigned() throws Exception {
    WsClient client = WsClient.established(server.port(), KEY);
    clients.add(client);
    String data = "{\"user_id\":\"5\"}";
    client.subscribe("presence-lobby", channelAuth(KEY, SECRET, client.socketId(), "presence-lobby", data), data);
    client.next("pusher_internal:subscription_succeeded");

    List<String> got = new ArrayList<>();
    got.add(nextEvent().toString());
    got.add(nextEvent().toString());
    assertThat(got).containsExactlyInAnyOrder(
        "{\"name\":\"channel_occupied\",\"channel\":\"presence-lobby\"}",
        "{\"name\":\"member_added\",\"channel\":\"presence-lobby\",\"user_id\":\"5\"}");

    client.send("{\"event\":\"pusher:unsubscribe\",\"data\":{\"channel\":\"presence-lobby\"}}");
    got.clear();
    got.add(nextEvent().toString());
    got.add(nextEvent().toString());
    assertThat(got).containsExactlyInAnyOrder(
        "{\"name\":\"member_removed\",\"channel\":\"presence-lobby\",\"user_id\":\"5\"}",
        "{\"name\":\"channel_vacated\",\"channel\":\"presence-lobby\"}");
  }

  @Test
  void sendsClientEventsWithTheSocketId() throws Exception {
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
  void retriesAWebhookTheReceiverFailed() throws Exception {
    failuresToGive.set(1);
    WsClient client = WsClient.established(server.port(), KEY);
    clients.add(client);
    client.subscribe("retry-me", null, null);
    client.next("pusher_internal:subscription_succeeded");
    JsonNode first = nextEvent();
    JsonNode second = nextEvent();
    assertThat(second).isEqualTo(first);
    assertThat(first.get("name").asText()).isEqualTo("channel_occupied");
  }
}
