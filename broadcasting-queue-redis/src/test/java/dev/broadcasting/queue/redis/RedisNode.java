package dev.broadcasting.queue.redis;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A redis-server from the PATH on a free port with its own data directory, which a SIGKILL and a
 * start on the same port and directory bring back as a crashed server comes back: with its
 * append-only file when started with {@code --appendonly yes}. Killed by a shutdown hook at worst.
 */
final class RedisNode implements AutoCloseable {
  private static final Set<Process> RUNNING = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> RUNNING.forEach(Process::destroyForcibly)));
  }

  private final int port;
  private final Path dir;
  private final List<String> args;
  private Process process;

  private RedisNode(String... args) throws IOException {
    this.port = freePort();
    this.dir = Files.createTempDirectory("queue-redis-" + port + "-");
    this.args = List.of(args);
  }

  /** A loopback port free at the time of the call, for a server the test starts. */
  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  /** The directory of the server's data and log, for files it should keep beside them. */
  Path dir() {
    return dir;
  }

  /** Started with {@code args} after the defaults (no RDB snapshots, no AOF unless asked). */
  static RedisNode start(String... args) throws IOException, InterruptedException {
    RedisNode node = new RedisNode(args);
    node.launch();
    return node;
  }

  String uri() {
    return "redis://127.0.0.1:" + port;
  }

  int port() {
    return port;
  }

  /** SIGKILL, as a crash: nothing flushed that was not flushed already. */
  void kill() throws InterruptedException {
    if (process != null) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      RUNNING.remove(process);
      process = null;
    }
  }

  /** Starts again on the same port and data directory, with {@code more} arguments this time. */
  void launch(String... more) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("redis-server", "--port", Integer.toString(port), "--bind",
        "127.0.0.1", "--dir", dir.toString(), "--save", "", "--appendonly", "no"));
    command.addAll(args);
    command.addAll(List.of(more));
    process = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("log").toFile())).start();
    RUNNING.add(process);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (System.nanoTime() < deadline) {
      try (Socket ignored = new Socket("127.0.0.1", port)) {
        return;
      } catch (IOException notYet) {
        if (!process.isAlive()) {
          throw new IOException("redis-server exited: " + Files.readString(dir.resolve("log")));
        }
        Thread.sleep(20);
      }
    }
    throw new IOException("redis-server did not listen on port " + port);
  }

  @Override
  public void close() throws InterruptedException {
    kill();
  }
}
