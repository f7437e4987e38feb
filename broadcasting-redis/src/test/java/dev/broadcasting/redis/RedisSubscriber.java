package dev.broadcasting.redis;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Redis subscriber on its own lettuce connection, recording the exact bytes of every
 * message with its channel, in arrival order. It reconnects and subscribes again by itself when
 * the server comes back, as laravel-echo-server does.
 */
final class RedisSubscriber implements AutoCloseable {
  /** One message as Redis delivered it. */
  record Received(String channel, byte[] body) {
    String text() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  private final ClientResources resources;
  private final RedisClient client;
  private final StatefulRedisPubSubConnection<byte[], byte[]> connection;
  private final List<Received> received = new ArrayList<>();
  private int triggerAt = -1;
  private Runnable trigger;

  private RedisSubscriber(RedisURI uri) {
    resources = ClientResources.builder().reconnectDelay(Delay.constant(Duration.ofMillis(20))).build();
    client = RedisClient.create(resources, uri);
    client.setOptions(ClientOptions.builder().autoReconnect(true).build());
    connection = client.connectPubSub(ByteArrayCodec.INSTANCE);
    connection.addListener(new RedisPubSubAdapter<>() {
      @Override
      public void message(byte[] pattern, byte[] channel, byte[] message) {
        record(channel, message);
      }

      @Override
      public void message(byte[] channel, byte[] message) {
        record(channel, message);
      }

      @Override
      public void smessage(byte[] channel, byte[] message) {
        record(channel, message);
      }
    });
  }

  /** Subscribes to every channel matching {@code pattern} (PSUBSCRIBE). */
  static RedisSubscriber pattern(int port, String pattern) throws Exception {
    return pattern(RedisURI.create("127.0.0.1", port), pattern);
  }

  static RedisSubscriber pattern(RedisURI uri, String pattern) throws Exception {
    RedisSubscriber subscriber = new RedisSubscriber(uri);
    subscriber.connection.async().psubscribe(bytes(pattern)).get(10, TimeUnit.SECONDS);
    return subscriber;
  }

  /** Subscribes to sharded channels (SSUBSCRIBE, Redis 7); all must be served by this node. */
  static RedisSubscriber sharded(int port, String... channels) throws Exception {
    RedisSubscriber subscriber = new RedisSubscriber(RedisURI.create("127.0.0.1", port));
    byte[][] names = new byte[channels.length][];
    for (int i = 0; i < channels.length; i++) {
      names[i] = bytes(channels[i]);
    }
    subscriber.connection.async().ssubscribe(names).get(10, TimeUnit.SECONDS);
    return subscriber;
  }

  private synchronized void record(byte[] channel, byte[] message) {
    received.add(new Received(new String(channel, StandardCharsets.UTF_8), message));
    if (received.size() == triggerAt) {
      trigger.run();
    }
    notifyAll();
  }

  /**
   * Runs {@code action} on the subscriber's own thread the moment the {@code count}-th message
   * arrives, before it reads another: a fault injected at an exact point of a stream.
   */
  synchronized void whenReceived(int count, Runnable action) {
    triggerAt = count;
    trigger = action;
  }

  /** Waits until this subscriber has reconnected to the server on {@code port} and subscribed again. */
  static void awaitResubscribed(int port) throws Exception {
    RedisClient admin = RedisClient.create(RedisURI.create("127.0.0.1", port));
    try (var connection = admin.connect()) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (connection.sync().pubsubNumpat() < 1) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("the subscriber did not come back to the restarted server");
        }
        Thread.sleep(10);
      }
    } finally {
      admin.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }

  /** Waits until at least {@code count} messages arrived, then returns all of them so far. */
  synchronized List<Received> await(int count, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (received.size() < count) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        break;
      }
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
    return List.copyOf(received);
  }

  /**
   * Everything received before a marker that is published now, once the marker has arrived: Redis
   * delivers in the order it executes, so after the marker nothing published earlier is still on
   * its way. Lets a test assert exact counts without sleeping. The marker itself is left out.
   */
  List<Received> settle(int port) throws Exception {
    String marker = "settle-" + System.nanoTime();
    RedisClient admin = RedisClient.create(RedisURI.create("127.0.0.1", port));
    try (var connection = admin.connect()) {
      connection.sync().publish("__settle__", marker);
    } finally {
      admin.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    synchronized (this) {
      while (received.stream().noneMatch(r -> r.channel().equals("__settle__") && r.text().equals(marker))) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError("the settle marker never arrived; is the subscriber's pattern '*'?");
        }
        TimeUnit.NANOSECONDS.timedWait(this, left);
      }
      return received.stream().filter(r -> !r.channel().equals("__settle__")).toList();
    }
  }

  synchronized int count() {
    return received.size();
  }

  synchronized void clear() {
    received.clear();
  }

  @Override
  public void close() {
    connection.close();
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    resources.shutdown(0, 2, TimeUnit.SECONDS);
  }

  static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
