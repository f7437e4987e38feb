package dev.broadcasting.benchmarks;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.TimeUnit;

/**
 * A {@code redis-server} from the PATH on a free loopback port, without persistence, for the
 * redis benchmarks. Install it with {@code apt-get install redis-server} (which brings
 * {@code redis-benchmark} too).
 *
 * <pre>{@code
 * try (RedisProcess redis = RedisProcess.start()) {
 *   RedisClient.create("redis://127.0.0.1:" + redis.port());
 * }
 * }</pre>
 */
public final class RedisProcess implements AutoCloseable {
  private final Process process;
  private final int port;

  private RedisProcess(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  public static RedisProcess start() throws IOException, InterruptedException {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    Process process;
    try {
      process = new ProcessBuilder("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
          "--save", "", "--appendonly", "no").redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    } catch (IOException e) {
      throw new IOException("redis-server is not on the PATH: install it (apt-get install redis-server) "
          + "to run the redis benchmarks", e);
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      try (Socket ignored = new Socket("127.0.0.1", port)) {
        return new RedisProcess(process, port);
      } catch (IOException notYet) {
        if (!process.isAlive()) {
          throw new IOException("redis-server exited with " + process.exitValue() + " on port " + port);
        }
        Thread.sleep(20);
      }
    }
    process.destroyForcibly();
    throw new IOException("redis-server did not listen on port " + port + " within 10 s");
  }

  /** Whether {@code redis-server} and {@code redis-benchmark} are both on the PATH. */
  static boolean onPath() {
    String path = System.getenv().getOrDefault("PATH", "");
    return java.util.stream.Stream.of("redis-server", "redis-benchmark").allMatch(tool ->
        java.util.Arrays.stream(path.split(java.io.File.pathSeparator))
            .anyMatch(dir -> java.nio.file.Files.isExecutable(java.nio.file.Path.of(dir, tool))));
  }

  public int port() {
    return port;
  }

  /** The server's process id, to read its CPU time from {@code /proc}. */
  public long pid() {
    return process.pid();
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
