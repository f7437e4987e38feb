package dev.broadcasting.queue.redis;

import io.lettuce.core.RedisClient;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a real Redis subscriber (PSUBSCRIBE *) received from the redis driver, in arrival order:
 * each message's channel and the {@code "n"} of its payload, so tests can count events and check
 * their order per channel.
 */
final class Received implements AutoCloseable {
  private static final Pattern SEQUENCE = Pattern.compile("\"n\":(\\d+)");

  record Message(String channel, int n) {}

  private final RedisClient client;
  private final StatefulRedisPubSubConnection<String, String> connection;
  private final List<Message> messages = new ArrayList<>();

  Received(String uri) {
    client = RedisClient.create(uri);
    connection = client.connectPubSub();
    connection.addListener(new RedisPubSubAdapter<>() {
      @Override
      public void message(String pattern, String channel, String body) {
        Matcher n = SEQUENCE.matcher(body);
        if (n.find()) {
          add(new Message(channel, Integer.parseInt(n.group(1))));
        }
      }
    });
    connection.sync().psubscribe("*");
  }

  private synchronized void add(Message message) {
    messages.add(message);
    notifyAll();
  }

  synchronized int count() {
    return messages.size();
  }

  /** Waits until every {@code n} in {@code [0, total)} arrived at least once; returns all messages. */
  synchronized List<Message> awaitAll(int total, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (distinct().size() < total && System.nanoTime() < deadline) {
      TimeUnit.NANOSECONDS.timedWait(this, Math.max(1, deadline - System.nanoTime()));
    }
    return List.copyOf(messages);
  }

  synchronized void awaitCount(int count, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (messages.size() < count && System.nanoTime() < deadline) {
      TimeUnit.NANOSECONDS.timedWait(this, Math.max(1, deadline - System.nanoTime()));
    }
  }

  /** The numbers in {@code [0, total)} that never arrived. */
  synchronized List<Integer> missing(int total) {
    TreeSet<Integer> seen = distinct();
    List<Integer> missing = new ArrayList<>();
    for (int n = 0; n < total; n++) {
      if (!seen.contains(n)) {
        missing.add(n);
      }
    }
    return missing;
  }

  synchronized TreeSet<Integer> distinct() {
    TreeSet<Integer> seen = new TreeSet<>();
    messages.stream().filter(m -> !m.channel().equals("__settle__")).forEach(m -> seen.add(m.n()));
    return seen;
  }

  /**
   * Per channel, the sequence numbers in the order they first arrived: a re-delivery after a crash
   * repeats some, but a first arrival must never come before one broadcast earlier on its channel.
   */
  static Map<String, List<Integer>> firstArrivals(List<Message> messages) {
    Map<String, List<Integer>> order = new LinkedHashMap<>();
    TreeSet<Integer> seen = new TreeSet<>();
    for (Message message : messages) {
      if (seen.add(message.n())) {
        order.computeIfAbsent(message.channel(), c -> new ArrayList<>()).add(message.n());
      }
    }
    return order;
  }

  /**
   * Every message received before a marker published now, once the marker arrived: Redis delivers
   * in execution order, so nothing published earlier is still on its way. The marker is left out.
   */
  List<Message> settle(String uri) throws InterruptedException {
    RedisClient admin = RedisClient.create(uri);
    try (var publisher = admin.connect()) {
      publisher.sync().publish("__settle__", "{\"n\":-1}".replace("-1", "2147483647"));
    } finally {
      admin.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
    synchronized (this) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (messages.stream().noneMatch(m -> m.channel().equals("__settle__")) && System.nanoTime() < deadline) {
        TimeUnit.NANOSECONDS.timedWait(this, Math.max(1, deadline - System.nanoTime()));
      }
      if (messages.stream().noneMatch(m -> m.channel().equals("__settle__"))) {
        throw new AssertionError("the settle marker never arrived");
      }
      return messages.stream().filter(m -> !m.channel().equals("__settle__")).toList();
    }
  }

  @Override
  public void close() {
    connection.close();
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
  }
}
