package dev.broadcasting.server.internal;

import java.net.InetAddress;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Connections per remote address that are still opening: accepted, but their first request's
 * headers not yet complete. One address may hold at most {@code maxPerAddress} of them, so a
 * client that opens sockets and goes quiet cannot hold the server's file descriptors; addresses of
 * trusted proxies are not counted, since every client behind them shares their address.
 */
final class OpeningConnections {
  private final int maxPerAddress;
  private final Set<InetAddress> trustedProxies;
  private final Map<InetAddress, Integer> opening = new ConcurrentHashMap<>();

  OpeningConnections(int maxPerAddress, Set<InetAddress> trustedProxies) {
    this.maxPerAddress = maxPerAddress;
    this.trustedProxies = trustedProxies;
  }

  /**
   * Counts a new connection from {@code address}; returns the action that releases it (to run
   * once), or null when the address already holds its share and the connection must be refused.
   */
  Runnable open(InetAddress address) {
    if (maxPerAddress == 0 || address == null || trustedProxies.contains(address)) {
      return () -> { };
    }
    boolean[] refused = new boolean[1];
    opening.compute(address, (a, count) -> {
      int now = count == null ? 0 : count;
      refused[0] = now >= maxPerAddress;
      return refused[0] ? count : now + 1;
    });
    if (refused[0]) {
      return null;
    }
    boolean[] released = new boolean[1];
    return () -> {
      if (!released[0]) {
        released[0] = true;
        opening.computeIfPresent(address, (a, count) -> count <= 1 ? null : count - 1);
      }
    };
  }
}
