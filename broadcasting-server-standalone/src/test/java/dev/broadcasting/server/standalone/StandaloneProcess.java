package dev.broadcasting.server.standalone;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** A child process whose output lines the test reads as they come: the packaged jar, nginx, node. */
final class StandaloneProcess implements AutoCloseable {
  static final Path JAR = Path.of(System.getProperty("standalone.jar", "target/broadcasting-server-standalone.jar"));

  private final String name;
  private final Process process;
  private final BlockingQueue<String> unread = new LinkedBlockingQueue<>();
  private final List<String> all = new ArrayList<>();
  private final Thread reader;

  private StandaloneProcess(String name, Process process) {
    this.name = name;
    this.process = process;
    reader = new Thread(() -> read(process.getInputStream()), name + "-output");
    reader.setDaemon(true);
    reader.start();
  }

  static StandaloneProcess start(String name, ProcessBuilder builder) throws IOException {
    return new StandaloneProcess(name, builder.redirectErrorStream(true).start());
  }

  /** {@code java -jar <the packaged jar> args}. */
  static StandaloneProcess jar(String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", JAR.toString()));
    command.addAll(List.of(args));
    return start("jar", new ProcessBuilder(command));
  }

  private void read(InputStream in) {
    try (BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      for (String line = lines.readLine(); line != null; line = lines.readLine()) {
        synchronized (all) {
          all.add(line);
        }
        unread.add(line);
      }
    } catch (IOException e) {
      unread.add("(reading " + name + "'s output failed: " + e + ")");
    }
  }

  /** The next line that matches, within {@code seconds}; fails with everything printed so far. */
  String await(Predicate<String> wanted, int seconds) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (true) {
      String line = unread.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      if (line == null) {
        throw new AssertionError(name + " printed no expected line within " + seconds + " s:\n" + output());
      }
      if (wanted.test(line)) {
        return line;
      }
    }
  }

  /** Waits for the process to end by itself and its output to be read to the end; returns its exit code. */
  int exit(int seconds) throws InterruptedException {
    if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
      throw new AssertionError(name + " did not exit within " + seconds + " s:\n" + output());
    }
    // the process can be gone while its last lines still wait in the pipe for the reader
    reader.join(TimeUnit.SECONDS.toMillis(10));
    if (reader.isAlive()) {
      throw new AssertionError(name + " exited but its output was not read to the end within 10 s:\n" + output());
    }
    return process.exitValue();
  }

  String output() {
    synchronized (all) {
      return String.join("\n", all);
    }
  }

  /** SIGTERM, as a service manager stops it; returns the exit code. */
  int terminate(int seconds) throws InterruptedException {
    process.destroy();
    return exit(seconds);
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroy();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
    }
  }
}
