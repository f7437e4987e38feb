package dev.broadcasting.queue.redis;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Another JVM on this test's classpath running {@code main}: a real producer or worker process,
 * which a test kills with SIGKILL ({@link #kill()}) as a crash would. Its standard output is read
 * line by line; its standard error goes to a file shown when a wait fails.
 */
final class ChildJvm implements AutoCloseable {
  private final Process process;
  private final Path errors;
  private final List<String> lines = new ArrayList<>();

  private ChildJvm(Process process, Path errors) {
    this.process = process;
    this.errors = errors;
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
          StandardCharsets.UTF_8))) {
        String line;
        while ((line = in.readLine()) != null) {
          synchronized (lines) {
            lines.add(line);
            lines.notifyAll();
          }
        }
      } catch (IOException ended) {
        // the process was killed
      }
    }, "child-stdout");
    reader.setDaemon(true);
    reader.start();
  }

  static ChildJvm start(Class<?> main, Map<String, String> env, String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), main.getName()));
    command.addAll(List.of(args));
    Path errors = Files.createTempFile("child-" + main.getSimpleName(), ".log");
    ProcessBuilder builder = new ProcessBuilder(command).redirectError(errors.toFile());
    builder.environment().putAll(env);
    return new ChildJvm(builder.start(), errors);
  }

  /** Waits for a line of standard output that starts with {@code prefix}. */
  String awaitLine(String prefix, Duration timeout) throws InterruptedException, IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lines) {
      while (true) {
        for (String line : lines) {
          if (line.startsWith(prefix)) {
            return line;
          }
        }
        long left = deadline - System.nanoTime();
        if (left <= 0 || !process.isAlive() && lines.stream().noneMatch(l -> l.startsWith(prefix))) {
          if (left > 0) {
            TimeUnit.MILLISECONDS.timedWait(lines, 200); // the last lines of a process that just ended
            if (lines.stream().anyMatch(l -> l.startsWith(prefix))) {
              continue;
            }
          }
          throw new AssertionError("no line '" + prefix + "...' from the child; it printed " + lines
              + " and on stderr:\n" + Files.readString(errors));
        }
        TimeUnit.NANOSECONDS.timedWait(lines, left);
      }
    }
  }

  /** SIGKILL: no shutdown hook runs, nothing is drained. */
  void kill() throws InterruptedException {
    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws InterruptedException, IOException {
    kill();
    Files.deleteIfExists(errors);
  }
}
