package dev.broadcasting.server.redis;

import static org.assertj.core.api.Assertions.assertThat;

import com.pusher.rest.Pusher;
import com.pusher.rest.data.Result;
import dev.broadcasting.redis.RedisServer;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The README's nginx configuration, as written there, in front of three nodes: clients spread
 * round-robin over the nodes with no sticky sessions, and the cluster behaves as one server.
 */
@Tag("integration")
class NginxTest {
  @Test
  void theReadmesNginxConfigurationServesTheClusterWithoutStickySessions() throws Exception {
    try (TestCluster cluster = new TestCluster(3, Duration.ofSeconds(20)); Clients clients = cluster.clients()) {
      int port = RedisServer.freePort(false);
      Path dir = Files.createTempDirectory("nginx-");
      Files.writeString(dir.resolve("nginx.conf"), configuration(cluster, port, dir));
      Process nginx = new ProcessBuilder("/usr/sbin/nginx", "-p", dir.toString(), "-c", dir.resolve("nginx.conf").toString(),
          "-e", "stderr", "-g", "daemon off; pid " + dir.resolve("nginx.pid") + ";")
          .redirectErrorStream(true).redirectOutput(dir.resolve("nginx.log").toFile()).start();
      try {
        awaitListening(port, nginx, dir);
        for (int i = 0; i < 6; i++) {
          clients.connect("n" + i, port, "n" + i);
          clients.subscribe("n" + i, "through-nginx");
        }
        for (int node = 0; node < 3; node++) {
          assertThat(cluster.nodes.get(node).connectionCount(TestCluster.APP_ID)).as("node " + node).isEqualTo(2);
        }
        assertThat(clients.echoJoin("amy", port, "amy", "lobby")).containsExactly("amy");
        assertThat(clients.echoJoin("ben", port, "ben", "lobby")).containsExactly("amy", "ben");
        assertThat(clients.echoJoin("cat", port, "cat", "lobby")).containsExactly("amy", "ben", "cat");

        Pusher sdk = new Pusher(TestCluster.APP_ID, TestCluster.KEY, TestCluster.SECRET);
        sdk.setHost("127.0.0.1:" + port);
        sdk.setEncrypted(false);
        for (int n = 0; n < 3; n++) {
          Result sent = sdk.trigger("through-nginx", "Hello", Map.of("n", n));
          assertThat(sent.getHttpStatus()).as(sent.getMessage()).isEqualTo(200);
        }
        for (int i = 0; i < 6; i++) {
          String id = "n" + i;
          clients.await(line -> Clients.is(line, "event", id) && line.path("data").path("n").asInt() == 2);
          assertThat(clients.events(id, "through-nginx")).containsExactly("Hello#0", "Hello#1", "Hello#2");
        }
      } finally {
        nginx.destroy();
        nginx.waitFor(5, TimeUnit.SECONDS);
      }
    }
  }

  /** The README's block with this test's ports, and the scratch paths of a non-system nginx. */
  private static String configuration(TestCluster cluster, int port, Path dir) throws IOException {
    String readme = Files.readString(Path.of("..", "README.md"));
    int section = readme.indexOf("### Several server nodes");
    int start = readme.indexOf("```nginx\n", section) + "```nginx\n".length();
    String config = readme.substring(start, readme.indexOf("```", start));
    List<String> servers = List.of("10.0.0.1:6001", "10.0.0.2:6001", "10.0.0.3:6001");
    for (int node = 0; node < 3; node++) {
      assertThat(config).contains("server " + servers.get(node) + ";");
      config = config.replace(servers.get(node), "127.0.0.1:" + cluster.port(node));
    }
    assertThat(config).contains("listen 6001;");
    String scratch = String.join("\n", "client_body_temp_path " + dir.resolve("body") + ";",
        "proxy_temp_path " + dir.resolve("proxy") + ";", "access_log " + dir.resolve("access.log") + ";", "");
    return config.replace("listen 6001;", "listen 127.0.0.1:" + port + ";").replace("http {\n", "http {\n" + scratch);
  }

  private static void awaitListening(int port, Process nginx, Path dir) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      if (!nginx.isAlive()) {
        throw new AssertionError("nginx exited: " + Files.readString(dir.resolve("nginx.log")));
      }
      try (Socket socket = new Socket("127.0.0.1", port)) {
        return;
      } catch (IOException notYet) {
        Thread.sleep(20);
      }
    }
    throw new AssertionError("nginx did not listen on " + port + ": " + Files.readString(dir.resolve("nginx.log")));
  }
}
