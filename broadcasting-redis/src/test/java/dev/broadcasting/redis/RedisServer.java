package dev.broadcasting.redis;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A real redis-server process on a free loopback port, for tests: the one on the PATH (CI installs
 * Debian's, Redis 7), or else the binary inside the embedded-redis test artifact (Redis 6.2), so a
 * fresh machine needs nothing installed. Every process is killed when the test closes it, and by a
 * shutdown hook if the JVM ends first, so no server outlives a failed run.
 */
public final class RedisServer implements AutoCloseable {
  private static final Set<Process> RUNNING = ConcurrentHashMap.newKeySet();
  private static volatile Path binary;

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> RUNNING.forEach(Process::destroyForcibly)));
  }

  private final int port;
  private final List<String> args;
  private final Path dir;
  private Path config;
  private Process process;

  private RedisServer(int port, List<String> args) throws IOException {
    this.port = port;
    this.args = List.copyOf(args);
    this.dir = Files.createTempDirectory("redis-" + port + "-");
  }

  /** A Sentinel on a free port, watching the master on {@code masterPort} under the name {@code master}. */
  public static RedisServer sentinel(String master, int masterPort) throws IOException {
    RedisServer server = new RedisServer(freePort(false), List.of("--sentinel"));
    try {
      // Sentinel rewrites its configuration file, so it gets one of its own
      server.config = Files.writeString(server.dir.resolve("sentinel.conf"),
          "sentinel monitor " + master + " 127.0.0.1 " + masterPort + " 1\n"
              + "sentinel down-after-milliseconds " + master + " 2000\n");
      server.launch();
    } catch (IOException | RuntimeException e) {
      server.close();
      throw e;
    }
    return server;
  }

  /** A server on a free port, started with the extra {@code redis-server} arguments given. */
  public static RedisServer start(String... args) throws IOException {
    return startOn(freePort(false), args);
  }

  public static RedisServer startOn(int port, String... args) throws IOException {
    RedisServer server = new RedisServer(port, List.of(args));
    try {
      server.launch();
    } catch (IOException | RuntimeException e) {
      server.close();
      throw e;
    }
    return server;
  }

  public int port() {
    return port;
  }

  public String uri() {
    return "redis://127.0.0.1:" + port;
  }

  /** Kills the server at once, as a crash would: no shutdown, connections cut. */
  public void kill() {
    Process p = process;
    if (p != null) {
      p.destroyForcibly();
      try {
        p.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      RUNNING.remove(p);
      process = null;
    }
  }

  /** Stops the server as an operator would (SIGTERM: Redis shuts down cleanly) and waits for it. */
  public void stop() {
    Process p = process;
    if (p != null) {
      p.destroy();
      try {
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        p.destroyForcibly();
      }
      RUNNING.remove(p);
      process = null;
    }
  }

  /** Starts the server again on the same port, empty (nothing is saved). */
  public void restart() throws IOException {
    kill();
    launch();
  }

  /** Starts a server that was killed or stopped, on the same port. */
  public void startAgain() throws IOException {
    if (process != null) {
      throw new IllegalStateException("redis-server on port " + port + " is still running");
    }
    launch();
  }

  @Override
  public void close() {
    kill();
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException ignored) {
      // a temp directory left behind is harmless
    }
  }

  /** The major version of the redis-server the tests run, e.g. 7. */
  public static int majorVersion() throws IOException, InterruptedException {
    Process p = new ProcessBuilder(binary().toString(), "--version").redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor();
    Matcher m = Pattern.compile("v=(\\d+)\\.").matcher(out);
    if (!m.find()) {
      throw new IllegalStateException("Cannot read the version of " + binary() + ": " + out);
    }
    return Integer.parseInt(m.group(1));
  }

  /**
   * A port nothing listens on; with {@code clusterBus}, port + 10000 is free as well, since Redis
   * 6 has no setting for its cluster bus port.
   */
  public static int freePort(boolean clusterBus) throws IOException {
    if (!clusterBus) {
      try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
        return socket.getLocalPort();
      }
    }
    // Both ports below Linux's ephemeral range (32768 and up), so no outgoing connection of
    // another test can take the bus port between this check and redis-server's bind.
    for (int i = 0; i < 200; i++) {
      int port = ThreadLocalRandom.current().nextInt(12000, 22000);
      if (isFree(port) && isFree(port + 10000)) {
        return port;
      }
    }
    throw new IOException("no free port pair (p, p+10000) found between 12000 and 32000");
  }

  private static boolean isFree(int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private void launch() throws IOException {
    List<String> command = new ArrayList<>(List.of(binary().toString()));
    if (config != null) {
      command.add(config.toString());
    }
    command.addAll(List.of("--port", String.valueOf(port), "--bind", "127.0.0.1", "--protected-mode", "no",
        "--dir", dir.toString(), "--daemonize", "no"));
    if (config == null) {
      command.addAll(List.of("--save", "", "--appendonly", "no"));
    }
    command.addAll(args);
    Path log = dir.resolve("redis.log");
    process = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    RUNNING.add(process);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IOException("redis-server on port " + port + " exited: " + Files.readString(log));
      }
      if (answersPing()) {
        return;
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while waiting for redis-server", e);
      }
    }
    throw new IOException("redis-server on port " + port + " did not answer PING: " + Files.readString(log));
  }

  private boolean answersPing() {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
      socket.setSoTimeout(1000);
      OutputStream out = socket.getOutputStream();
      out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      String reply = new String(in.readNBytes(5), StandardCharsets.US_ASCII);
      // a server with a password answers NOAUTH, which says just as well that it is serving
      return reply.startsWith("+PONG") || reply.startsWith("-NOAU");
    } catch (IOException e) {
      return false;
    }
  }

  private static Path binary() throws IOException {
    Path found = binary;
    if (found != null) {
      return found;
    }
    synchronized (RedisServer.class) {
      if (binary == null) {
        binary = locate();
      }
      return binary;
    }
  }

  private static Path locate() throws IOException {
    for (String entry : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
      Path candidate = Path.of(entry, "redis-server");
      if (Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    String arch = System.getProperty("os.arch");
    String resource = arch.contains("aarch64") || arch.contains("arm64")
        ? "/redis-server-6.2.7-linux-arm64" : "/redis-server-6.2.6-v5-linux-amd64";
    try (InputStream in = RedisServer.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IOException("No redis-server on the PATH and no " + resource + " in the embedded-redis "
            + "artifact; install Redis (apt-get install redis-server)");
      }
      Path target = Files.createTempFile("redis-server-", "");
      Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
      target.toFile().setExecutable(true);
      target.toFile().deleteOnExit();
      return target;
    }
  }
}
