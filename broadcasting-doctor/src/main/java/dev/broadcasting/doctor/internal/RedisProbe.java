package dev.broadcasting.doctor.internal;

import io.lettuce.core.RedisClient;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Listens for the probe as laravel-echo-server or soketi would: a Redis {@code SUBSCRIBE} on the
 * prefixed channel. At most 64 unread messages are kept.
 */
public final class RedisProbe implements ProbeSubscription {
  private final RedisTarget target;
  private final BlockingQueue<String> messages = new ArrayBlockingQueue<>(64);
  private RedisClient client;
  private StatefulRedisPubSubConnection<String, String> connection;

  public RedisProbe(RedisTarget target) {
    this.target = target;
  }

  @Override
  public String describe() {
    return "SUBSCRIBE on Redis " + target.endpoint().address();
  }

  @Override
  public Endpoint endpoint() {
    return target.endpoint();
  }

  @Override
  public void subscribe(String channel, Duration timeout) {
    client = RedisClient.create();
    connection = client.connectPubSub(target.uri());
    connection.addListener(new RedisPubSubAdapter<>() {
      @Override
      public void message(String from, String message) {
        messages.offer(message);
      }
    });
    connection.sync().subscribe(target.prefix() + channel);
  }

  @Override
  public boolean received(String nonce, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    for (String m; (m = messages.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS)) != null; ) {
      if (m.contains("\"" + EventFlowCheck.PROBE_EVENT + "\"") && m.contains(nonce)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public void close() {
    if (connection != null) {
      connection.close();
    }
    if (client != null) {
      client.shutdown(0, 2, TimeUnit.SECONDS);
    }
  }
}
