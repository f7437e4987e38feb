package dev.broadcasting.server;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Runs the node scripts in {@code src/test/js} (or the directory named by the system property
 * {@code broadcasting.js.dir}, for other modules' tests) with the machine's Node.js, installing their exact
 * npm dependencies ({@code npm ci}) first when {@code node_modules} is missing, and reads the JSON
 * lines they print.
 */
public final class NodeScripts implements AutoCloseable {
  static final Path DIR = Path.of(System.getProperty("broadcasting.js.dir", "src/test/js")).toAbsolutePath();

  private final Process process;
  private final BlockingQueue<JsonNode> lines = new LinkedBlockingQueue<>();
  private final StringBuffer stderr = new StringBuffer();
  private final Thread out;

  private NodeScripts(Process process) {
    this.process = process;
    out = new Thread(() -> read(process.getInputStream(), true), "node-stdout");
    Thread err = new Thread(() -> read(process.getErrorStream(), false), "node-stderr");
    out.setDaemon(true);
    err.setDaemon(true);
    out.start();
    err.start();
  }

  /** Starts {@code node <script> <args>} in {@code src/test/js} with {@code env} added. */
  public static NodeScripts start(Map<String, String> env, String... command) throws Exception {
    List<String> line = new ArrayList<>();
    line.add("node");
    line.addAll(List.of(command));
    return start(env, line);
  }

  /**
   * As {@link #start(Map, String...)}, with node's open-file limit raised to the hard limit first:
   * the JVM raises its own by itself, node does not.
   */
  static NodeScripts startWithRaisedFileLimit(Map<String, String> env, String... command) throws Exception {
    List<String> line = new ArrayList<>(List.of("bash", "-c", "ulimit -n \"$(ulimit -Hn)\" && exec node \"$@\"", "node"));
    line.addAll(List.of(command));
    return start(env, line);
  }

  private static NodeScripts start(Map<String, String> env, List<String> line) throws Exception {
    installDependencies();
    ProcessBuilder builder = new ProcessBuilder(line).directory(DIR.toFile());
    builder.environment().putAll(env);
    return new NodeScripts(builder.start());
  }

  /** Runs a script to its end and returns what it printed on stdout. */
  static String run(String... command) throws Exception {
    return run(Map.of(), command);
  }

  /** As {@link #run(String...)}, with {@code env} added to the script's environment. */
  static String run(Map<String, String> env, String... command) throws Exception {
    installDependencies();
    List<String> line = new ArrayList<>();
    line.add("node");
    line.addAll(List.of(command));
    ProcessBuilder builder = new ProcessBuilder(line).directory(DIR.toFile()).redirectErrorStream(true);
    builder.environment().putAll(env);
    Process process = builder.start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw new AssertionError("node " + String.join(" ", command) + " failed: " + out);
    }
    return out;
  }

  public static synchronized void installDependencies() throws Exception {
    if (Files.isDirectory(DIR.resolve("node_modules/pusher-js"))
        && Files.isDirectory(DIR.resolve("node_modules/laravel-echo"))
        && Files.isDirectory(DIR.resolve("node_modules/ws"))
        && Files.isDirectory(DIR.resolve("node_modules/pusher"))
        && Files.isDirectory(DIR.resolve("node_modules/playwright-core"))) {
      return;
    }
    Process npm = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund").directory(DIR.toFile())
        .redirectErrorStream(true).start();
    String out = new String(npm.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!npm.waitFor(5, TimeUnit.MINUTES) || npm.exitValue() != 0) {
      throw new AssertionError("npm ci in " + DIR + " failed; install Node.js 18+ and npm "
          + "(.ci/setup.d/20-server-node.sh does it in CI):\n" + out);
    }
  }

  /** The next line of type {@code type}, skipping others; fails with node's stderr after 20 s. */
  public JsonNode next(String type) throws InterruptedException {
    return next(type, 20);
  }

  public JsonNode next(String type, int seconds) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (true) {
      JsonNode line = lines.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      if (line == null) {
        throw new AssertionError("node printed no \"" + type + "\" line within " + seconds + " s; stderr:\n" + stderr);
      }
      String got = line.path("type").asText();
      if (got.equals("fatal") || got.equals("timeout")) {
        throw new AssertionError("node scenario failed: " + line + "\nstderr:\n" + stderr);
      }
      if (got.equals(type)) {
        return line;
      }
    }
  }

  /** The next line of any type, or null when none comes within {@code millis}. */
  public JsonNode nextLine(long millis) throws InterruptedException {
    return lines.poll(millis, TimeUnit.MILLISECONDS);
  }

  /** What the script wrote on stderr so far. */
  public String stderr() {
    return stderr.toString();
  }

  /** Writes {@code line} and a newline to the script's stdin, for scripts that take commands. */
  public synchronized void send(String line) throws IOException {
    process.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
    process.getOutputStream().flush();
  }

  /** Every line printed until the script exits. */
  public List<JsonNode> rest() throws Exception {
    if (!process.waitFor(25, TimeUnit.SECONDS)) {
      throw new AssertionError("node did not exit; stderr:\n" + stderr);
    }
    // the reader may still be parsing the last lines when the process is gone: its end is stdout's end
    out.join(TimeUnit.SECONDS.toMillis(10));
    if (out.isAlive()) {
      throw new AssertionError("node exited but its stdout was not read to the end within 10 s; stderr:\n" + stderr);
    }
    List<JsonNode> all = new ArrayList<>();
    lines.drainTo(all);
    return all;
  }

  private void read(java.io.InputStream stream, boolean json) {
    try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
      String line;
      while ((line = reader.readLine()) != null) {
        if (!json) {
          stderr.append(line).append('\n');
        } else if (line.startsWith("{")) {
          lines.add(WsClient.JSON.readTree(line));
        } else {
          stderr.append("(stdout) ").append(line).append('\n');
        }
      }
    } catch (IOException e) {
      stderr.append(e);
    }
  }

  @Override
  public void close() {
    process.destroyForcibly();
  }
}
