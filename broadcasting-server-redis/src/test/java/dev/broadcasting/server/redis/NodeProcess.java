package dev.broadcasting.server.redis;

import dev.broadcasting.server.BroadcastServerMain;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A cluster node in a JVM of its own, for the tests that kill one with SIGKILL: no goodbye to
 * Redis, no closing frames to its clients. It runs {@link BroadcastServerMain} as an operator
 * would, configured by flags and {@code BROADCAST_SERVER_BACKPLANE_*} variables.
 */
final class NodeProcess implements AutoCloseable {
  private static final Pattern LISTENING = Pattern.compile("listening on ws://127\\.0\\.0\\.1:(\\d+)");

  private final Process process;
  final int port;

  private NodeProcess(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  /**
   * Starts a node on {@code redisUri} with {@code lease}, sending webhooks to {@code webhook}, with
   * more command-line {@code flags} such as {@code "--history", "history-*:1000:5m"}.
   */
  static NodeProcess start(String redisUri, Duration lease, String nodeId, URI webhook, String... flags)
      throws IOException {
    List<String> command = new ArrayList<>(List.of(
        java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        // a quick start matters more than top speed for a node that lives a few seconds
        "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx128m", "-cp", System.getProperty("java.class.path"),
        BroadcastServerMain.class.getName(), "--host", "127.0.0.1", "--port", "0",
        "--webhook-url", webhook.toString(), "--backplane", redisUri));
    command.addAll(List.of(flags));
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().put("PUSHER_APP_ID", TestCluster.APP_ID);
    builder.environment().put("PUSHER_APP_KEY", TestCluster.KEY);
    builder.environment().put("PUSHER_APP_SECRET", TestCluster.SECRET);
    builder.environment().put("BROADCAST_SERVER_BACKPLANE_LEASE", lease.toMillis() + "ms");
    builder.environment().put("BROADCAST_SERVER_BACKPLANE_NODE_ID", nodeId);
    Process process = builder.redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    // the server logs (slf4j-simple, stderr) the port it bound; the rest of its log is not read
    BufferedReader log = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8));
    StringBuilder seen = new StringBuilder();
    for (String line; (line = log.readLine()) != null; ) {
      seen.append(line).append('\n');
      Matcher listening = LISTENING.matcher(line);
      if (listening.find()) {
        Thread drain = new Thread(() -> {
          try {
            log.transferTo(java.io.Writer.nullWriter());
          } catch (IOException ignored) {
            // the process was killed
          }
        }, "node-process-log");
        drain.setDaemon(true);
        drain.start();
        return new NodeProcess(process, Integer.parseInt(listening.group(1)));
      }
    }
    process.destroyForcibly();
    throw new IOException("the node process ended without serving:\n" + seen);
  }

  /** SIGKILL, and waits until the process is gone. */
  void kill() {
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    kill();
  }
}
