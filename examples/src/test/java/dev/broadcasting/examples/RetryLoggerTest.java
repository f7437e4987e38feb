package dev.broadcasting.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.broadcasting.BroadcastException;
import dev.broadcasting.Broadcaster;
import dev.broadcasting.Channel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * examples/README.md tells a user which logger to turn to debug to see each retry. A separate JVM
 * with only that logger at debug (slf4j-simple fixes levels when a logger is created) must print
 * the retry.
 */
class RetryLoggerTest {
  private static final Pattern NAMED = Pattern.compile("with the logger `([\\w.]+)` at debug, each retry is also");

  @Test
  void theLoggerTheReadmeNamesShowsEachRetry() throws Exception {
    Matcher named = NAMED.matcher(Files.readString(Path.of("README.md")));
    assertThat(named.find()).as("examples/README.md names the logger for retries").isTrue();
    String logger = named.group(1);

    Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"),
        "-Dorg.slf4j.simpleLogger.log." + logger + "=debug",
        OneRetry.class.getName())
        .redirectErrorStream(true).start();
    boolean finished = process.waitFor(60, TimeUnit.SECONDS);
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!finished) {
      process.destroyForcibly();
    }
    assertThat(finished).as(output).isTrue();
    assertThat(process.exitValue()).as(output).isZero();
    assertThat(output).as("with only %s at debug", logger)
        .containsPattern("DEBUG \\S+ - Broadcast of .* attempt 1 failed, retrying in \\d+ ms: .*refused once");
  }

  /** Broadcasts one event through a driver that refuses the first attempt, then accepts. */
  public static final class OneRetry {
    public static void main(String[] args) {
      AtomicInteger attempts = new AtomicInteger();
      try (Broadcaster broadcaster = Broadcaster.builder()
          .connection("flaky", message -> attempts.incrementAndGet() == 1
              ? CompletableFuture.failedFuture(BroadcastException.retryable("refused once", null))
              : CompletableFuture.completedFuture(null))
          .build()) {
        broadcaster.on(new Channel("orders")).as("OrderPlaced").with(Map.of("id", 42)).send().join();
      }
      System.out.println("attempts " + attempts.get());
    }
  }
}
