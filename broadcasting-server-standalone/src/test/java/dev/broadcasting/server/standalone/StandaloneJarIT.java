package dev.broadcasting.server.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged jar, as a user runs it: {@code java -jar ... --help}, a wrong flag, a configuration file. */
@Tag("integration")
class StandaloneJarIT {
  @Test
  void helpListsTheFlagsAndTheConfigurationFile() throws Exception {
    try (StandaloneProcess jar = StandaloneProcess.jar("--help")) {
      assertThat(jar.exit(30)).isZero();
      assertThat(jar.output()).startsWith("Usage: java -jar broadcasting-server-standalone.jar [--flag value]...")
          .contains("--config FILE", "--port N", "--allowed-origins LIST", "--max-connections N", "\"apps\": [");
    }
  }

  @Test
  void aWrongFlagStopsTheStartNamingTheFlag() throws Exception {
    try (StandaloneProcess jar = StandaloneProcess.jar(
        "--app-id", "1", "--app-key", "k", "--app-secret", "s", "--port", "6001x")) {
      assertThat(jar.exit(30)).isEqualTo(2);
      assertThat(jar.output()).isEqualTo("broadcast server: Flag --port must be a whole number but was \"6001x\"\n"
          + "(--help lists the flags)");
    }
  }

  @Test
  void servesTheAppsOfAConfigurationFileAndStopsOnSigterm(@TempDir Path dir) throws Exception {
    int port = freePort();
    Path config = Files.writeString(dir.resolve("server.json"), "{\"host\": \"127.0.0.1\", \"port\": " + port + ","
        + " \"apps\": [{\"id\": \"1\", \"key\": \"one-key\", \"secret\": \"one-secret\"},"
        + " {\"id\": \"2\", \"key\": \"two-key\", \"secret\": \"two-secret\", \"max-connections\": 5}]}");
    try (StandaloneProcess jar = StandaloneProcess.jar("--config", config.toString())) {
      String listening = jar.await(line -> line.contains("listening"), 30);
      assertThat(listening).contains("INFO BroadcastServer - Broadcast server listening on ws://127.0.0.1:" + port
          + " for apps [App{id=1, key=one-key}, App{id=2, key=two-key}]")
          .doesNotContain("secret");
      HttpResponse<String> health = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(health.body()).isEqualTo("{\"status\":\"ok\",\"connections\":0}");
      // the JVM's exit code after SIGTERM with its shutdown hooks run is 143 (128 + 15)
      assertThat(jar.terminate(15)).isEqualTo(143);
      assertThat(jar.output()).doesNotContain("Exception");
    }
  }

  static int freePort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
