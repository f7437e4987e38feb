package dev.broadcasting.server.redis;

import dev.broadcasting.server.BroadcastServer;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A cluster node in a JVM of its own, for the tests that kill one with SIGKILL: no goodbye to
 * Redis, no closing frames to its clients. {@link #main} prints the port it serves on, then runs
 * until killed.
 */
final class NodeProcess implements AutoCloseable {
  private final Process process;
  final int port;

  private NodeProcess(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  /** Starts a node on {@code redisUri} with {@code lease}, sending webhooks to {@code webhook}. */
  static NodeProcess start(String redisUri, Duration lease, String nodeId, URI webhook) throws IOException {
    Process process = new ProcessBuilder(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        // a quick start matters more than top speed for a node that lives a few seconds
        "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx128m", "-cp", System.getProperty("java.class.path"),
        NodeProcess.class.getName(), redisUri, Long.toString(lease.toMillis()), nodeId, webhook.toString())
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String line = new String(process.getInputStream().readNBytes(12)).trim();
    if (!line.matches("port \\d+")) {
      process.destroyForcibly();
      throw new IOException("the node process printed \"" + line + "\" instead of its port");
    }
    return new NodeProcess(process, Integer.parseInt(line.substring(5)));
  }

  /** SIGKILL, and waits until the process is gone. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws InterruptedException {
    kill();
  }

  public static void main(String[] args) throws Exception {
    BroadcastServer server = BroadcastServer.builder().host("127.0.0.1").port(0)
        .app(TestCluster.app(URI.create(args[3])))
        .backplane(RedisBackplane.builder(args[0]).lease(Duration.ofMillis(Long.parseLong(args[1])))
            .nodeId(args[2]).build())
        .build().start();
    System.out.printf("port %-6d%n", server.port());
    System.out.flush();
    Thread.currentThread().join();
  }
}
