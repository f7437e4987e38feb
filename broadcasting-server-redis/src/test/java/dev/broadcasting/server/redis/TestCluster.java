package dev.broadcasting.server.redis;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.pusher.rest.Pusher;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.broadcasting.redis.RedisClusterServers;
import dev.broadcasting.redis.RedisServer;
import dev.broadcasting.server.App;
import dev.broadcasting.server.BroadcastServer;
import dev.broadcasting.server.HttpExchanges;
import dev.broadcasting.spi.ChannelAuthSigner;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Server nodes on their own ports sharing one real redis-server, with what the clients and the
 * tests around them need: an auth endpoint that answers as an application would (with a node's
 * {@code server} driver signer), and a webhook endpoint that records every webhook it receives.
 */
final class TestCluster implements AutoCloseable {
  static final String APP_ID = "1";
  static final String KEY = "cluster-key";
  static final String SECRET = "cluster-secret";
  static final ObjectMapper JSON = new ObjectMapper();

  final RedisServer redis;
  private final RedisClusterServers shards;
  final List<BroadcastServer> nodes = new ArrayList<>();
  final List<RedisBackplane> backplanes = new ArrayList<>();
  private final List<JsonNode> seenWebhooks = new ArrayList<>();
  private final java.util.Set<Integer> takenWebhooks = new java.util.HashSet<>();
  private final HttpServer endpoints;
  private final ChannelAuthSigner signer;
  private final Duration lease;

  TestCluster(int nodeCount, Duration lease) throws Exception {
    this(nodeCount, lease, RedisServer.start(), null);
  }

  /** Nodes on the Redis Cluster {@code shards}, node i seeded with shard i. */
  static TestCluster on(RedisClusterServers shards, int nodeCount) throws Exception {
    return new TestCluster(nodeCount, Duration.ofSeconds(20), null, shards);
  }

  private TestCluster(int nodeCount, Duration lease, RedisServer redis, RedisClusterServers shards) throws Exception {
    this.lease = lease;
    this.redis = redis;
    this.shards = shards;
    this.endpoints = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    endpoints.createContext("/broadcasting/auth", this::authorize);
    endpoints.createContext("/broadcasting/user-auth", this::signIn);
    endpoints.createContext("/webhooks", this::webhook);
    endpoints.start();
    for (int i = 0; i < nodeCount; i++) {
      addNode(redis != null ? RedisBackplane.builder(redis.uri()) : RedisBackplane.cluster(shards.uri(i % shards.servers().size())));
    }
    this.signer = nodes.get(0).driver(APP_ID).authSigner();
  }

  /** Starts one more node on a free port, its backplane on the Redis at {@code redisUri}. */
  BroadcastServer addNode(String redisUri) {
    return addNode(RedisBackplane.builder(redisUri));
  }

  private BroadcastServer addNode(RedisBackplane.Builder builder) {
    RedisBackplane backplane = builder.lease(lease).nodeId("node" + nodes.size()).build();
    BroadcastServer node = BroadcastServer.builder().host("127.0.0.1").port(0).app(app()).backplane(backplane)
        .build().start();
    backplanes.add(backplane);
    nodes.add(node);
    return node;
  }

  App app() {
    return app(webhookUrl());
  }

  URI webhookUrl() {
    return URI.create("http://127.0.0.1:" + endpoints.getAddress().getPort() + "/webhooks");
  }

  /**
   * The app of every node: channels {@code history-*} keep 1,000 events, {@code short-history-*} 5,
   * {@code private-history-*} and {@code cache-history-*} 10.
   */
  static App app(URI webhook) {
    return App.builder(APP_ID, KEY, SECRET).maxPresenceMembers(3).webhook(webhook)
        .history("history-*", 1000, Duration.ofMinutes(5)).history("short-history-*", 5, Duration.ofMinutes(5))
        .history("private-history-*", 10, Duration.ofMinutes(5)).history("cache-history-*", 10, Duration.ofMinutes(5))
        .build();
  }

  int port(int node) {
    return nodes.get(node).port();
  }

  /** The official Pusher server SDK, talking to node {@code node}. */
  Pusher sdk(int node) {
    Pusher pusher = new Pusher(APP_ID, KEY, SECRET);
    pusher.setHost("127.0.0.1:" + port(node));
    pusher.setEncrypted(false);
    return pusher;
  }

  /** The remote-controlled pusher-js and laravel-echo clients of {@code cluster.mjs}. */
  Clients clients() throws Exception {
    String base = "http://127.0.0.1:" + endpoints.getAddress().getPort();
    return new Clients(Map.of("KEY", KEY, "AUTH_URL", base + "/broadcasting/auth",
        "SIGNIN_URL", base + "/broadcasting/user-auth"));
  }

  /**
   * The first webhook event named {@code name} about {@code channel} not returned before, waiting
   * up to 20 s for it; others stay for later calls, since nodes send theirs in no common order.
   */
  JsonNode nextWebhook(String name, String channel) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    synchronized (seenWebhooks) {
      while (true) {
        for (int i = 0; i < seenWebhooks.size(); i++) {
          JsonNode event = seenWebhooks.get(i);
          if (!takenWebhooks.contains(i) && event.path("name").asText().equals(name)
              && event.path("channel").asText().equals(channel)) {
            takenWebhooks.add(i);
            return event;
          }
        }
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (left <= 0) {
          throw new AssertionError("no " + name + " webhook about " + channel + " within 20 s; got " + seenWebhooks);
        }
        seenWebhooks.wait(left);
      }
    }
  }

  /** Every webhook event received so far, in order of arrival. */
  List<JsonNode> seenWebhooks() {
    synchronized (seenWebhooks) {
      return List.copyOf(seenWebhooks);
    }
  }

  private void authorize(HttpExchange exchange) throws IOException {
    Map<String, String> form = HttpExchanges.form(exchange);
    String socketId = form.get("socket_id");
    String channel = form.get("channel_name");
    String user = form.getOrDefault("user", "nobody");
    HttpExchanges.answer(exchange, channel.startsWith("presence-")
        ? signer.signPresence(socketId, channel, "{\"user_id\":\"" + user + "\",\"user_info\":{\"name\":\"" + user + "\"}}")
        : signer.signPrivate(socketId, channel));
  }

  private void signIn(HttpExchange exchange) throws IOException {
    Map<String, String> form = HttpExchanges.form(exchange);
    HttpExchanges.answer(exchange, signer.signUser(form.get("socket_id"), "{\"id\":\"" + form.get("user") + "\"}"));
  }

  private void webhook(HttpExchange exchange) throws IOException {
    JsonNode body = JSON.readTree(exchange.getRequestBody().readAllBytes());
    synchronized (seenWebhooks) {
      body.path("events").forEach(seenWebhooks::add);
      seenWebhooks.notifyAll();
    }
    exchange.sendResponseHeaders(200, -1);
    exchange.close();
  }

  @Override
  public void close() {
    nodes.forEach(BroadcastServer::close);
    endpoints.stop(0);
    if (redis != null) {
      redis.close();
    }
  }
}
