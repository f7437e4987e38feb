package dev.broadcasting.examples.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.broadcasting.examples.chat.ChatDemo;
import dev.broadcasting.server.App;
import dev.broadcasting.server.BroadcastServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.logging.LoggingSystem;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The Spring Boot chat end to end, with the plain demo's own browser script (examples'
 * src/test/js/chat-e2e.cjs): two users in Debian's headless chromium driven by playwright-core.
 * Fails, never skips, when node or chromium is missing: .ci/setup.d/30-examples.sh installs both.
 */
class ChatApplicationBrowserTest {
  private static final Path EXAMPLES = Path.of("../examples");
  private static final Path SCRIPT = EXAMPLES.resolve("src/test/js/chat-e2e.cjs");
  /** Every check the script prints, in order, as the plain demo's browser test expects them. */
  private static final Path CHECKS = EXAMPLES.resolve("src/test/js/chat-e2e.checks");
  private static final Path NODE_MODULES = EXAMPLES.resolve("src/main/js/node_modules");
  private static final Path SCREENSHOT = Path.of("target/chat-spring.png");

  @Test
  void twoUsersChatSeeEachOtherAndCannotReadEachOthersPrivateChannel() throws Exception {
    String chromium = System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium");
    assertThat(Path.of(chromium)).as("no chromium at %s; install Debian's chromium (.ci/setup.d/30-examples.sh) "
        + "or set CHROMIUM to a Chromium binary", chromium).isExecutable();
    assertThat(NODE_MODULES.resolve("playwright-core")).as("playwright-core is not installed; the chat-page "
        + "profile's npm ci puts it in %s: run bash .ci/setup.sh, then ./mvnw with -Pchat-page", NODE_MODULES).isDirectory();
    assertThat(ChatApplication.class.getResource("/chat-demo/chat.js")).as("the page is not built: run ./mvnw "
        + "with -Pchat-page (npm builds it in the examples module only in that profile)").isNotNull();
    Files.deleteIfExists(SCREENSHOT);

    Path log = Files.createTempFile("chat-e2e", ".log");
    int exit;
    // the tests of every module log through slf4j-simple, which competes with Logback; leave logging alone
    System.setProperty(LoggingSystem.SYSTEM_PROPERTY, LoggingSystem.NONE);
    try (ConfigurableApplicationContext app = SpringApplication.run(ChatApplication.class,
        "--server.port=0", "--broadcasting.server.port=0")) {
      // the properties' history rules are the plain demo's, which the recovery checks were written for
      assertThat(app.getBean(BroadcastServer.class).apps().iterator().next().historyRules()).map(Object::toString)
          .containsExactlyElementsOf(ChatDemo.keepHistory(App.builder("demo", "demo-key", "secret")).build()
              .historyRules().stream().map(Object::toString).toList());
      String baseUrl = "http://127.0.0.1:" + app.getEnvironment().getProperty("local.server.port") + "/";
      ProcessBuilder builder = new ProcessBuilder("node", SCRIPT.toString()).redirectErrorStream(true)
          .redirectOutput(log.toFile());
      builder.environment().put("NODE_PATH", NODE_MODULES.toAbsolutePath().toString());
      builder.environment().put("BASE_URL", baseUrl);
      builder.environment().put("CHROMIUM", chromium);
      builder.environment().put("SCREENSHOT", SCREENSHOT.toAbsolutePath().toString());
      Process process = builder.start();
      boolean finished = process.waitFor(90, TimeUnit.SECONDS);
      if (!finished) {
        process.destroyForcibly().waitFor();
      }
      assertThat(finished).as("node chat-e2e.cjs did not finish in 90 s:\n%s", read(log)).isTrue();
      exit = process.exitValue();
    } finally {
      System.clearProperty(LoggingSystem.SYSTEM_PROPERTY);
    }

    List<String> output = Files.readAllLines(log, StandardCharsets.UTF_8);
    String transcript = String.join("\n", output);
    assertThat(exit).as(transcript).isZero();
    assertThat(output).as(transcript).filteredOn(line -> line.startsWith("ok "))
        .containsExactlyElementsOf(Files.readAllLines(CHECKS, StandardCharsets.UTF_8));
    assertThat(Files.readAllBytes(SCREENSHOT)).startsWith(0x89, 'P', 'N', 'G');
  }

  private static String read(Path log) throws IOException {
    return Files.readString(log, StandardCharsets.UTF_8);
  }
}
