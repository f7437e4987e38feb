package dev.broadcasting.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** AblyExample against a stand-in for Ably's REST endpoint on loopback: the request it would send Ably. */
class AblyExampleTest {

  record Request(String method, String path, String authorization, String body) {}

  @Test
  void postsTheEventToThePublicChannelWithTheKeyAsBasicAuth() throws Exception {
    List<Request> requests = new CopyOnWriteArrayList<>();
    HttpServer ably = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    ably.createContext("/", exchange -> {
      try (exchange) {
        requests.add(new Request(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(),
            exchange.getRequestHeaders().getFirst("Authorization"),
            new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
        byte[] answer = "{\"channel\":\"public:prices\",\"messageId\":\"x\"}".getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(201, answer.length);
        exchange.getResponseBody().write(answer);
      }
    });
    ably.start();
    try {
      AblyExample.send(Map.of("ABLY_KEY", "appId.keyId:keySecret", "ABLY_HOST", "127.0.0.1",
          "ABLY_PORT", String.valueOf(ably.getAddress().getPort()), "ABLY_TLS", "false",
          "ABLY_ALLOW_INSECURE_BASIC_AUTH", "true"));
    } finally {
      ably.stop(0);
    }

    assertThat(requests).hasSize(1);
    Request request = requests.get(0);
    assertThat(request.method()).isEqualTo("POST");
    assertThat(request.path()).isEqualTo("/channels/public%3Aprices/messages");
    assertThat(request.authorization()).isEqualTo("Basic "
        + Base64.getEncoder().encodeToString("appId.keyId:keySecret".getBytes(StandardCharsets.UTF_8)));
    JsonNode body = new ObjectMapper().readTree(request.body());
    assertThat(body).hasSize(1);
    JsonNode message = body.get(0);
    assertThat(message.get("name").asText()).isEqualTo("PriceChanged");
    assertThat(message.get("data").asText()).isEqualTo("{\"symbol\":\"ACME\",\"price\":\"12.34\"}");
    assertThat(message.get("encoding").asText()).isEqualTo("json");
    assertThat(message.get("id").asText()).isNotBlank();
  }
}
