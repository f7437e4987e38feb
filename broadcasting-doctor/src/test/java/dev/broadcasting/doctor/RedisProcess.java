package dev.broadcasting.doctor;

import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real redis-server on a free loopback port: the one on the PATH, else the binary inside the
 * embedded-redis test artifact. Killed on close, and by a shutdown hook if the JVM ends first.
 * The redis module's test helper does more (Sentinel, cluster, restarts); the doctor needs a start.
 */
final class RedisProcess implements AutoCloseable {
  private final int port;
  private final Process process;
  private final Path log;

  private RedisProcess(String... args) throws IOException {
    this.port = freePort();
    this.log = Files.createTempFile("doctor-redis-", ".log");
    List<String> command = new ArrayList<>(List.of(binary().toString(), "--port", String.valueOf(port),
        "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"));
    command.addAll(List.of(args));
    process = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly));
    awaitListening();
  }

  /** A server started with these extra {@code redis-server} arguments, e.g. {@code --requirepass s}. */
  static RedisProcess start(String... args) throws IOException {
    return new RedisProcess(args);
  }

  int port() {
    return port;
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  @Override
  public void close() throws InterruptedException {
    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
  }

  private void awaitListening() throws IOException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IOException("redis-server exited: " + Files.readString(log));
      }
      try (Socket socket = new Socket("127.0.0.1", port)) {
        return;
      } catch (IOException notYet) {
        try {
          Thread.sleep(20);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted while waiting for redis-server", e);
        }
      }
    }
    throw new IOException("redis-server did not listen on " + port + ": " + Files.readString(log));
  }

  private static synchronized Path binary() throws IOException {
    for (String entry : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
      Path candidate = Path.of(entry, "redis-server");
      if (Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    String arch = System.getProperty("os.arch");
    String resource = arch.contains("aarch64") || arch.contains("arm64")
        ? "/redis-server-6.2.7-linux-arm64" : "/redis-server-6.2.6-v5-linux-amd64";
    try (InputStream in = RedisProcess.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IOException("No redis-server on the PATH and no " + resource + " in embedded-redis");
      }
      Path target = Files.createTempFile("redis-server-", "");
      Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
      target.toFile().setExecutable(true);
      target.toFile().deleteOnExit();
      return target;
    }
  }

  @Override
  public String toString() {
    return "redis-server on " + port;
  }
}
