package dev.broadcasting.queue.redis.internal;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SslOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.resource.ClientResources;
import java.time.Duration;

/**
 * The workers' connection for {@code XREADGROUP}, at most once: lettuce's usual reconnection
 * sends a command again when the connection broke before its answer came, and a read sent again
 * reads past the entries the lost answer held, which then go out after later ones. Here the
 * command fails instead (the worker then sends its own pending entries first, in order), and the
 * next read opens a new connection.
 *
 * <pre>{@code
 * try (ReadConnection reads = new ReadConnection(resources, uri, SslOptions.create(), Duration.ofSeconds(5))) {
 *   reads.commands().xreadgroup(consumer, args, offsets);
 * }
 * }</pre>
 */
public final class ReadConnection implements AutoCloseable {
  private final RedisClient client;
  private StatefulRedisConnection<String, String> connection;

  public ReadConnection(ClientResources resources, RedisURI uri, SslOptions ssl, Duration commandTimeout) {
    this.client = RedisClient.create(resources, uri);
    client.setOptions(ClientSettings.options(uri, ssl, commandTimeout).autoReconnect(false).build());
  }

  /** The open connection's commands; opens one if there is none or the last one broke. */
  public synchronized RedisCommands<String, String> commands() {
    if (connection != null && !connection.isOpen()) {
      connection.close();
      connection = null;
    }
    if (connection == null) {
      connection = client.connect();
    }
    return connection.sync();
  }

  @Override
  public synchronized void close() {
    if (connection != null) {
      connection.close();
    }
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
  }
}
