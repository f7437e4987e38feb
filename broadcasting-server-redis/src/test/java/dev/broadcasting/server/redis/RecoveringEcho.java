package dev.broadcasting.server.redis;

import com.fasterxml.jackson.databind.JsonNode;
import dev.broadcasting.redis.GatedProxy;
import dev.broadcasting.server.NodeScripts;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * laravel-echo with the recovery plugin ({@code recovery.mjs}) on one channel, behind a
 * {@link GatedProxy} that a test drops or sends elsewhere; its lines are read in order and the n
 * of every event among them kept: {@code echo.await("ready"); ... echo.eventsUpTo(last)}.
 */
final class RecoveringEcho implements AutoCloseable {
  final NodeScripts script;
  final List<Integer> events = new ArrayList<>();
  final List<JsonNode> lines = new ArrayList<>();

  RecoveringEcho(GatedProxy proxy, String channel) throws Exception {
    // LAST: no event has n 0, so the script runs until closed; RECONNECT_EVERY: the plugin's
    // prompt reconnect, so that a refused attempt is retried after 1 s instead of pusher-js's 15 s
    script = NodeScripts.start(Map.of("PORT", Integer.toString(proxy.port()), "KEY", TestCluster.KEY,
        "CHANNEL", channel, "LAST", "0", "RECOVERY", "1", "RECONNECT_EVERY", "1000", "TIMEOUT", "60"),
        "recovery.mjs");
  }

  /** Reads lines up to the next of {@code type}, within 20 s, and returns it. */
  JsonNode await(String type) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < deadline) {
      JsonNode line = next(100);
      if (line != null && line.path("type").asText().equals(type)) {
        return line;
      }
    }
    throw new AssertionError("no " + type + " line within 20 s; the last lines read: "
        + lines.subList(Math.max(0, lines.size() - 20), lines.size()) + "\n" + script.stderr());
  }

  /** The next line, kept with the others, or null when none came within {@code millis}. */
  JsonNode next(int millis) throws Exception {
    JsonNode line = script.nextLine(millis);
    if (line != null) {
      lines.add(line);
      if (line.path("type").asText().equals("event")) {
        events.add(line.get("n").asInt());
      }
    }
    return line;
  }

  /** Reads lines until event {@code n} came; returns the n of every event received. */
  List<Integer> eventsUpTo(int n) throws Exception {
    while (events.isEmpty() || events.get(events.size() - 1) != n) {
      await("event");
    }
    return events;
  }

  @Override
  public void close() {
    script.close();
  }
}
