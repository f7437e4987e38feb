package dev.broadcasting.queue.redis;

import dev.broadcasting.resp.TlsRedisFiles;
import java.nio.file.Path;

/**
 * A real redis-server listening on a TLS port, with a self-signed certificate for
 * {@code localhost} only, and on a Unix socket ({@link TlsRedisFiles}).
 */
record TlsRedis(RedisNode node, TlsRedisFiles files) implements AutoCloseable {

  static TlsRedis start() throws Exception {
    TlsRedisFiles files = TlsRedisFiles.make();
    return new TlsRedis(RedisNode.start(files.serverArgs()), files);
  }

  int tlsPort() {
    return files.tlsPort();
  }

  /** The server's certificate, PEM: the only thing that trusts it. */
  Path certificate() {
    return files.certificate();
  }

  Path socket() {
    return files.socket();
  }

  @Override
  public void close() throws InterruptedException {
    node.close();
  }
}
