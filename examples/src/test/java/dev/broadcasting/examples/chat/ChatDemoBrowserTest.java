package dev.broadcasting.examples.chat;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The demo end to end: two users in Debian's headless chromium, driven by playwright-core from the
 * page's npm package (src/test/js/chat-e2e.cjs). Fails, never skips, when node or chromium is
 * missing: .ci/setup.d/30-examples.sh installs both.
 */
@Tag("integration")
class ChatDemoBrowserTest {
  private static final Path SCRIPT = Path.of("src/test/js/chat-e2e.cjs");
  /** Every check the script prints, in order; examples-spring's browser test reads it too. */
  private static final Path CHECKS = Path.of("src/test/js/chat-e2e.checks");
  private static final Path NODE_MODULES = Path.of("src/main/js/node_modules");
  private static final Path SCREENSHOT = Path.of("target/chat-demo.png");

  @Test
  void twoUsersChatSeeEachOtherAndCannotReadEachOthersPrivateChannel() throws Exception {
    String node = onPath("node");
    String chromium = System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium");
    assertThat(node).as("node is not on PATH; install it with .ci/setup.d/30-examples.sh (Debian's nodejs)").isNotNull();
    assertThat(Path.of(chromium)).as("no chromium at %s; install Debian's chromium (.ci/setup.d/30-examples.sh) "
        + "or set CHROMIUM to a Chromium binary", chromium).isExecutable();
    assertThat(NODE_MODULES.resolve("playwright-core")).as("playwright-core is not installed; the chat-page "
        + "profile's npm ci puts it in %s: run bash .ci/setup.sh, then ./mvnw with -Pchat-page", NODE_MODULES).isDirectory();
    assertThat(ChatDemo.class.getResource("/chat-demo/chat.js")).as("the page is not built: run ./mvnw "
        + "with -Pchat-page (npm builds it only in that profile)").isNotNull();
    Files.deleteIfExists(SCREENSHOT);

    List<String> terminal = new CopyOnWriteArrayList<>();
    List<String> output = new CopyOnWriteArrayList<>();
    int exit;
    try (ChatDemo demo = ChatDemo.start(new ChatDemo.Settings("127.0.0.1", 0, 0, List.of()), terminal::add)) {
      ProcessBuilder builder = new ProcessBuilder(node, SCRIPT.toString()).redirectErrorStream(true);
      builder.environment().put("NODE_PATH", NODE_MODULES.toAbsolutePath().toString());
      builder.environment().put("BASE_URL", demo.url().toString());
      builder.environment().put("CHROMIUM", chromium);
      builder.environment().put("SCREENSHOT", SCREENSHOT.toAbsolutePath().toString());
      Process process = builder.start();
      Thread reader = new Thread(() -> {
        try (BufferedReader lines = new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
          for (String line = lines.readLine(); line != null; line = lines.readLine()) {
            output.add(line);
          }
        } catch (java.io.IOException e) {
          output.add("(reading node's output failed: " + e + ")");
        }
      });
      reader.start();
      boolean finished = process.waitFor(90, TimeUnit.SECONDS);
      if (!finished) {
        process.destroyForcibly().waitFor();
      }
      reader.join();
      assertThat(finished).as("node chat-e2e.cjs did not finish in 90 s:\n%s", String.join("\n", output)).isTrue();
      exit = process.exitValue();
    }

    String transcript = String.join("\n", output) + "\n--- demo terminal ---\n" + String.join("\n", terminal);
    assertThat(exit).as(transcript).isZero();
    assertThat(output).as(transcript).filteredOn(line -> line.startsWith("ok "))
        .containsExactlyElementsOf(Files.readAllLines(CHECKS, StandardCharsets.UTF_8));

    // What the terminal told the person running the demo, in order of the conversation.
    assertThat(terminal).as(transcript)
        .contains("login  Ann (#1)", "login  Bob (#2)",
            "auth   allowed presence-chat for Ann (#1)", "auth   allowed private-user.1 for Ann (#1)",
            "auth   allowed presence-chat for Bob (#2)", "auth   allowed private-user.2 for Bob (#2)",
            "broadcast Mentioned on [private-user.2]", "broadcast Mentioned on [private-user.1]")
        .filteredOn(line -> line.startsWith("auth   DENIED") && line.contains(" for Ann "))
        .containsExactly("auth   DENIED  private-user.2 for Ann (#1) -> 403 {\"error\":\"Forbidden\"}",
            "auth   DENIED  private-user.2 for Ann (#1) -> 403 {\"error\":\"Forbidden\"}");
    // Every message posted from a page's form (2 before the recovery checks, 5 in them) leaves out its tab;
    // the 101 of the long gap are posted by fetch without X-Socket-ID.
    assertThat(terminal).as(transcript)
        .filteredOn(line -> line.matches("broadcast MessagePosted on \\[presence-chat] to all but socket \\d+\\.\\d+"))
        .hasSize(7);
    // Ticks, one a second, are shown once and do not bury the other lines.
    assertThat(terminal).as(transcript).filteredOn(line -> line.contains("Tick"))
        .containsExactly("broadcast Tick on [ticks] every second (shown once; failures are always shown)");
    assertThat(terminal).as(transcript).contains("auth   DENIED  presence-chat for nobody (a session cookie this run "
        + "does not know: the demo restarted or the user logged out; the page asks them to reload and log in again)"
        + " -> 403 {\"error\":\"Forbidden\"}");

    byte[] png = Files.readAllBytes(SCREENSHOT);
    assertThat(png).startsWith(0x89, 'P', 'N', 'G');
  }

  private static String onPath(String program) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      Path candidate = Path.of(dir, program);
      if (Files.isExecutable(candidate)) {
        return candidate.toString();
      }
    }
    return null;
  }
}
