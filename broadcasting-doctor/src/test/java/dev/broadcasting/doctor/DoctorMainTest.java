package dev.broadcasting.doctor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.broadcasting.doctor.internal.DotEnv;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DoctorMainTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  @Test
  void helpListsTheSettingsAndExitsZero() {
    assertThat(run(Map.of(), "--help")).isZero();
    assertThat(out()).startsWith("Usage: broadcasting-doctor [--env FILE] [--set NAME=VALUE]... [--timeout 5s]")
        .contains("BROADCAST_DOCTOR_AUTH_HEADER").contains("Exit status: 0 when no check failed");
  }

  @Test
  void aWrongFlagExitsTwoAndSaysWhy() {
    assertThat(run(Map.of(), "--port", "6001")).isEqualTo(2);
    assertThat(err()).isEqualTo("broadcasting-doctor: unknown argument \"--port\"; see --help\n");
    assertThat(run(Map.of(), "--set", "novalue")).isEqualTo(2);
    assertThat(run(Map.of(), "--timeout", "soon")).isEqualTo(2);
    assertThat(err()).contains("Setting --timeout must be a duration such as 500ms, 5s or PT5S but was \"soon\"");
  }

  @Test
  void aDotEnvFileIsReadAndAWrongKeyExitsOne(@TempDir Path dir) throws Exception {
    try (EmbeddedServer server = new EmbeddedServer()) {
      Path env = Files.writeString(dir.resolve(".env"), String.join("\n",
          "# as Laravel writes it",
          "BROADCAST_CONNECTION=server",
          "PUSHER_APP_ID=1",
          "PUSHER_APP_KEY=\"app-key\"",
          "PUSHER_APP_SECRET='app-secret'",
          "BROADCAST_SERVER_HOST=127.0.0.1",
          "BROADCAST_SERVER_PORT=" + server.port(),
          "VITE_PUSHER_APP_KEY=\"${PUSHER_APP_KEY}\""));

      assertThat(run(Map.of(), "--env", env.toString(), "--timeout", "10s")).isZero();
      assertThat(out()).contains("OK   websocket ws://127.0.0.1:" + server.port() + "/app/app-key").endsWith("No check failed.\n");

      out.reset();
      assertThat(run(Map.of(), "--env", env.toString(), "--set", "VITE_PUSHER_APP_KEY=typo")).isEqualTo(1);
      assertThat(out()).contains("FAIL websocket ws://127.0.0.1:" + server.port() + "/app/typo | saw: pusher:error 4001")
          .contains("FAIL events").endsWith("2 checks failed.\n");
    }
  }

  @Test
  void dotEnvExpandsReferencesInDoubleQuotesOnly() {
    Map<String, String> read = DotEnv.parse(List.of("A=1", "export B=\"x${A}y\"", "C='${A}'", "D=plain # note", "",
        "E=${HOME_FROM_OUTSIDE}"), Map.of("HOME_FROM_OUTSIDE", "/home/ann"));

    assertThat(read).containsExactly(Map.entry("A", "1"), Map.entry("B", "x1y"), Map.entry("C", "${A}"),
        Map.entry("D", "plain"), Map.entry("E", "/home/ann"));
  }

  private int run(Map<String, String> environment, String... args) {
    err.reset();
    return DoctorMain.run(args, environment, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }
}
