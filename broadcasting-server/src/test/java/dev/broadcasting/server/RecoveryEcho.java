package dev.broadcasting.server;

import java.util.HashMap;
import java.util.Map;

/**
 * A laravel-echo client of src/test/js/recovery.mjs, subscribed to {@link NewsFeed}'s channel:
 * with or without the recovery plugin, and with the plugin's prompt reconnect every
 * {@code reconnectEveryMillis} or pusher-js's own reconnect timing (0).
 *
 * <pre>{@code
 * try (NodeScripts node = RecoveryEcho.RECOVERY.start(proxy.port(), 301)) { node.next("ready"); ... }
 * }</pre>
 */
record RecoveryEcho(String name, boolean recovery, int reconnectEveryMillis) {
  static final RecoveryEcho PLAIN = new RecoveryEcho("laravel-echo + pusher-js alone", false, 0);
  static final RecoveryEcho RECOVERY = new RecoveryEcho("recovery plugin", true, 0);
  static final RecoveryEcho PROMPT_RECONNECT_ONLY = new RecoveryEcho("prompt reconnect, no recovery", false, 2000);
  static final RecoveryEcho RECOVERY_AND_PROMPT_RECONNECT =
      new RecoveryEcho("recovery plugin + prompt reconnect", true, 2000);

  /** Starts the client against {@code port}; it prints "done" with all it received once event {@code last} arrives. */
  NodeScripts start(int port, int last) throws Exception {
    Map<String, String> env = new HashMap<>(Map.of("PORT", Integer.toString(port), "KEY", NewsFeed.KEY,
        "CHANNEL", NewsFeed.CHANNEL, "LAST", Integer.toString(last), "RECOVERY", recovery ? "1" : "0",
        "TIMEOUT", "60"));
    if (reconnectEveryMillis > 0) {
      env.put("RECONNECT_EVERY", Integer.toString(reconnectEveryMillis));
    }
    return NodeScripts.start(env, "recovery.mjs");
  }
}
