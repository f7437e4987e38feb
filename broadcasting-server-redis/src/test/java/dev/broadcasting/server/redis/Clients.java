package dev.broadcasting.server.redis;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.broadcasting.server.NodeScripts;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * pusher-js and laravel-echo clients in one Node.js process ({@code cluster.mjs}), each on the
 * node port it was told. Everything they print is kept in order, so a test can wait for one line
 * and then assert on all lines a client printed before or after it.
 */
final class Clients implements AutoCloseable {
  private final NodeScripts node;
  private final List<JsonNode> log = new ArrayList<>();
  private final List<Boolean> taken = new ArrayList<>();

  Clients(Map<String, String> env) throws Exception {
    this.node = NodeScripts.start(env, "cluster.mjs");
    node.next("started");
  }

  /** Connects pusher-js client {@code id} as {@code user} to the node on {@code port}; returns its socket id. */
  String connect(String id, int port, String user) throws Exception {
    command(TestCluster.JSON.createObjectNode().put("op", "connect").put("id", id).put("port", port).put("user", user));
    return await(line -> is(line, "connected", id)).get("socketId").asText();
  }

  /** Subscribes client {@code id} to {@code channel} and waits for subscription_succeeded; returns that line. */
  JsonNode subscribe(String id, String channel) throws Exception {
    trySubscribe(id, channel);
    return await(line -> is(line, "subscribed", id) && line.path("channel").asText().equals(channel));
  }

  /** Asks to subscribe client {@code id} to {@code channel}, without waiting for the answer. */
  void trySubscribe(String id, String channel) throws Exception {
    command(TestCluster.JSON.createObjectNode().put("op", "subscribe").put("id", id).put("channel", channel));
  }

  void unsubscribe(String id, String channel) throws Exception {
    command(TestCluster.JSON.createObjectNode().put("op", "unsubscribe").put("id", id).put("channel", channel));
  }

  /** laravel-echo client {@code id} joins presence room {@code room}; returns the names its here() lists. */
  List<String> echoJoin(String id, int port, String user, String room) throws Exception {
    command(TestCluster.JSON.createObjectNode().put("op", "echo").put("id", id).put("port", port).put("user", user)
        .put("room", room));
    List<String> users = new ArrayList<>();
    await(line -> is(line, "here", id)).get("users").forEach(name -> users.add(name.asText()));
    return users;
  }

  void whisper(String id, String channel, String event, String text) throws Exception {
    ObjectNode command = TestCluster.JSON.createObjectNode().put("op", "whisper").put("id", id).put("channel", channel)
        .put("event", event);
    command.putObject("data").put("text", text);
    command(command);
  }

  void signIn(String id) throws Exception {
    command(TestCluster.JSON.createObjectNode().put("op", "signin").put("id", id));
    await(line -> is(line, "signed_in", id));
  }

  void disconnect(String id) throws Exception {
    command(TestCluster.JSON.createObjectNode().put("op", "disconnect").put("id", id));
  }

  /** The first line matching {@code wanted} not returned before, waiting up to 20 s for it. */
  synchronized JsonNode await(Predicate<JsonNode> wanted) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    int checked = 0;
    while (true) {
      for (; checked < log.size(); checked++) {
        if (!taken.get(checked) && wanted.test(log.get(checked))) {
          taken.set(checked, true);
          return log.get(checked);
        }
      }
      long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
      if (left <= 0) {
        throw new AssertionError("no matching line within 20 s; lines so far:\n" + String.join("\n",
            log.stream().map(JsonNode::toString).toList()) + "\nstderr:\n" + node.stderr());
      }
      JsonNode line = node.nextLine(left);
      if (line != null) {
        if (line.path("type").asText().equals("fatal")) {
          throw new AssertionError("cluster.mjs failed: " + line);
        }
        log.add(line);
        taken.add(false);
      }
    }
  }

  /** Every line read so far that matches {@code wanted}, in order. */
  synchronized List<JsonNode> lines(Predicate<JsonNode> wanted) {
    return log.stream().filter(wanted).toList();
  }

  /** The event names client {@code id} received on {@code channel} so far, in order. */
  List<String> events(String id, String channel) {
    return lines(line -> is(line, "event", id) && line.path("channel").asText().equals(channel)).stream()
        .map(line -> line.path("event").asText() + (line.path("data").has("n") ? "#" + line.path("data").path("n").asText()
            : line.path("data").has("text") ? ":" + line.path("data").path("text").asText()
            : line.path("data").has("id") ? ":" + line.path("data").path("id").asText() : ""))
        .toList();
  }

  static boolean is(JsonNode line, String type, String id) {
    return line.path("type").asText().equals(type) && line.path("id").asText().equals(id);
  }

  private void command(ObjectNode command) throws Exception {
    node.send(TestCluster.JSON.writeValueAsString(command));
  }

  @Override
  public void close() {
    node.close();
  }
}
