package dev.broadcasting.server;

import static dev.broadcasting.server.TestSignatures.channelAuth;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.broadcasting.Channel;
import dev.broadcasting.spi.BroadcastMessage;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The per-app limits that protect the server: channels per connection, presence members, cached channels. */
class LimitsTest {
  private static final String KEY = "limits-key";
  private static final String SECRET = "limits-secret";

  private BroadcastServer server;
  private final List<WsClient> clients = new ArrayList<>();

  @BeforeEach
  void start() {
    server = BroadcastServer.builder().host("127.0.0.1").port(0)
        .app(App.builder("1", KEY, SECRET).maxChannelsPerConnection(2).maxCacheChannels(2).build())
        .build().start();
  }

  @AfterEach
  void stop() {
    clients.forEach(WsClient::close);
    server.close();
  }

  private WsClient client() throws Exception {
    WsClient client = WsClient.established(server.port(), KEY);
    clients.add(client);
    return client;
  }

  @Test
  void refusesASubscriptionPastTheChannelsOfOneConnection() throws Exception {
    WsClient client = client();
    client.subscribe("a", null, null);
    client.next("pusher_internal:subscription_succeeded");
    client.subscribe("private-b", channelAuth(KEY, SECRET, client.socketId(), "private-b", null), null);
    client.next("pusher_internal:subscription_succeeded");

    client.subscribe("c", null, null);
    assertThat(client.next("pusher:subscription_error").toString()).isEqualTo("{\"event\":\"pusher:subscription_error\","
        + "\"channel\":\"c\",\"data\":{\"type\":\"LimitReached\",\"error\":\"This connection is already subscribed to 2 "
        + "channels, the most this app allows; unsubscribe from one first\",\"status\":403}}");
    assertThat(server.subscriptionCount("1", "c")).isZero();

    // subscribing again to a channel it has is no new channel; leaving one makes room
    client.subscribe("a", null, null);
    assertThat(client.next("pusher_internal:subscription_succeeded").get("channel").asText()).isEqualTo("a");
    client.send("{\"event\":\"pusher:unsubscribe\",\"data\":{\"channel\":\"a\"}}");
    client.subscribe("c", null, null);
    assertThat(client.next("pusher_internal:subscription_succeeded").get("channel").asText()).isEqualTo("c");
  }

  @Test
  void forgetsTheCacheChannelWrittenLongestAgoPastTheBound() throws Exception {
    var driver = server.driver("1");
    for (String channel : List.of("cache-a", "cache-b", "cache-a", "cache-c")) {
      driver.publish(BroadcastMessage.of("State", List.of(new Channel(channel)), "{\"of\":\"" + channel + "\"}")).join();
    }
    WsClient client = client();
    for (String channel : List.of("cache-a", "cache-c")) {
      client.subscribe(channel, null, null);
      client.next("pusher_internal:subscription_succeeded");
      JsonNode cached = client.next(m -> true, "the cached event");
      assertThat(cached.get("event").asText()).isEqualTo("State");
      assertThat(cached.get("data").asText()).isEqualTo("{\"of\":\"" + channel + "\"}");
    }
    WsClient other = client();
    other.subscribe("cache-b", null, null);
    other.next("pusher_internal:subscription_succeeded");
    assertThat(other.next(m -> true, "a cache miss").toString())
        .isEqualTo("{\"event\":\"pusher:cache_miss\",\"channel\":\"cache-b\"}");
  }
}
