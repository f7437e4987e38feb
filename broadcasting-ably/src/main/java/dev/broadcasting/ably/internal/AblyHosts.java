package dev.broadcasting.ably.internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The primary host and the fallback hosts, as Ably's client library spec derives them from the
 * options: REC1 for the primary domain, REC2 for the fallback domains.
 */
public final class AblyHosts {
  /** REC1a: the primary domain when no endpoint is given. */
  public static final String DEFAULT_PRIMARY = "main.realtime.ably.net";

  private final String primary;
  private final List<String> fallbacks;

  private AblyHosts(String primary, List<String> fallbacks) {
    this.primary = primary;
    this.fallbacks = List.copyOf(fallbacks);
  }

  /** REC1a and REC2c1: {@code main.realtime.ably.net} and {@code main.[a-e].fallback.ably-realtime.com}. */
  public static AblyHosts defaults() {
    return new AblyHosts(DEFAULT_PRIMARY, lettered("main", "ably-realtime.com"));
  }

  /**
   * REC1b: a hostname (it has a '.', a "::" or is "localhost") is used as it is, with no fallbacks
   * (REC2c2); {@code nonprod:id} and a plain routing policy id get their own domain and fallbacks
   * (REC2c3, REC2c4).
   */
  public static AblyHosts endpoint(String endpoint) {
    if (isHostname(endpoint)) {
      return new AblyHosts(endpoint, List.of());
    }
    if (endpoint.startsWith("nonprod:")) {
      String id = endpoint.substring("nonprod:".length());
      return new AblyHosts(id + ".realtime.ably-nonprod.net", lettered(id, "ably-realtime-nonprod.com"));
    }
    return new AblyHosts(endpoint + ".realtime.ably.net", lettered(endpoint, "ably-realtime.com"));
  }

  /** REC1d1 and REC2c6: an explicit host has no fallbacks. */
  public static AblyHosts host(String host) {
    return new AblyHosts(host, List.of());
  }

  /** REC2a2: fallbacks given explicitly replace those implied by the primary. */
  public AblyHosts withFallbacks(List<String> fallbacks) {
    return new AblyHosts(primary, fallbacks);
  }

  static boolean isHostname(String endpoint) {
    return endpoint.contains(".") || endpoint.contains("::") || endpoint.equals("localhost");
  }

  private static List<String> lettered(String id, String domain) {
    List<String> hosts = new ArrayList<>(5);
    for (char letter = 'a'; letter <= 'e'; letter++) {
      hosts.add(id + '.' + letter + ".fallback." + domain);
    }
    return hosts;
  }

  public String primary() {
    return primary;
  }

  public List<String> fallbacks() {
    return fallbacks;
  }

  /**
   * The hosts one request may try, in order: the primary, then at most {@code maxRetryCount}
   * fallbacks in random order (RSC15a), so that clients spread over the other data centres.
   */
  public List<String> plan(int maxRetryCount) {
    List<String> shuffled = new ArrayList<>(fallbacks);
    Collections.shuffle(shuffled, ThreadLocalRandom.current());
    List<String> plan = new ArrayList<>(1 + Math.min(maxRetryCount, shuffled.size()));
    plan.add(primary);
    plan.addAll(shuffled.subList(0, Math.min(maxRetryCount, shuffled.size())));
    return plan;
  }

  @Override
  public String toString() {
    return primary + (fallbacks.isEmpty() ? "" : " (fallbacks " + fallbacks + ")");
  }
}
