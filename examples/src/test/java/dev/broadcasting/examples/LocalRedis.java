package dev.broadcasting.examples;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import redis.embedded.RedisServer;

/**
 * A real redis-server on a free port, for the examples' tests: Debian's when installed, else the
 * embedded-redis artifact's.
 *
 * <pre>{@code
 * try (LocalRedis redis = LocalRedis.start()) { env.put("REDIS_URL", redis.url()); }
 * }</pre>
 */
final class LocalRedis implements AutoCloseable {
  private final RedisServer server;
  private final int port;

  private LocalRedis(RedisServer server, int port) {
    this.server = server;
    this.port = port;
  }

  static LocalRedis start() throws IOException {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    Path debian = Path.of("/usr/bin/redis-server");
    RedisServer server = Files.isExecutable(debian) ? new RedisServer(port, debian.toFile()) : new RedisServer(port);
    server.start();
    return new LocalRedis(server, port);
  }

  String url() {
    return "redis://127.0.0.1:" + port;
  }

  @Override
  public void close() throws IOException {
    server.stop();
  }
}
