package dev.broadcasting.queue.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A real redis-server listening on a TLS port, with a self-signed certificate (made by openssl) for
 * {@code localhost} only, and on a Unix socket, both in a temporary directory.
 *
 * @param certificate the server's certificate, PEM: the only thing that trusts it
 */
record TlsRedis(RedisNode node, int tlsPort, Path certificate, Path socket) implements AutoCloseable {

  static TlsRedis start() throws Exception {
    Path dir = Files.createTempDirectory("queue-transports-");
    Path certificate = dir.resolve("redis.crt");
    Path key = dir.resolve("redis.key");
    Process openssl = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
        "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost", "-keyout", key.toString(), "-out",
        certificate.toString()).redirectErrorStream(true).redirectOutput(dir.resolve("openssl.log").toFile()).start();
    assertThat(openssl.waitFor(30, TimeUnit.SECONDS) && openssl.exitValue() == 0)
        .as("openssl made the certificate: %s", dir.resolve("openssl.log")).isTrue();
    int tlsPort = RedisNode.freePort();
    Path socket = dir.resolve("redis.sock");
    RedisNode node = RedisNode.start("--tls-port", Integer.toString(tlsPort), "--tls-cert-file", certificate.toString(),
        "--tls-key-file", key.toString(), "--tls-ca-cert-file", certificate.toString(), "--tls-auth-clients", "no",
        "--unixsocket", socket.toString(), "--unixsocketperm", "700");
    return new TlsRedis(node, tlsPort, certificate, socket);
  }

  @Override
  public void close() throws InterruptedException {
    node.close();
  }
}
