package dev.broadcasting.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.broadcasting.server.App;
import dev.broadcasting.server.BroadcastServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * An example that used a real driver ends when its main returns: no thread of its own (OkHttp's,
 * the broadcaster's) keeps the JVM alive, which is what {@code mvn exec:java} waits for before it
 * ends. Each runs in its own JVM against this project's server, through the {@code pusher} driver,
 * or against a real redis-server through the {@code redis} driver.
 */
class ExamplesExitTest {
  @Test
  void pusherExampleAndQuickstartEndWhenTheirMainReturns() throws Exception {
    try (BroadcastServer server = BroadcastServer.builder().host("127.0.0.1").port(0)
        .app(App.builder("7", "example-key", "example-secret").build()).build().start()) {
      Map<String, String> env = Map.of("BROADCAST_CONNECTION", "pusher", "PUSHER_APP_ID", "7",
          "PUSHER_APP_KEY", "example-key", "PUSHER_APP_SECRET", "example-secret",
          "PUSHER_HOST", "127.0.0.1", "PUSHER_PORT", String.valueOf(server.port()), "PUSHER_SCHEME", "http");
      assertThat(run(PusherExample.class, env)).contains("Published PriceChanged on prices to app 7");
      assertThat(run(Quickstart.class, env)).doesNotContain("Exception");
    }
  }

  @Test
  void quickstartWithTheRedisDriverEndsWhenItsMainReturns() throws Exception {
    try (LocalRedis redis = LocalRedis.start()) {
      assertThat(run(Quickstart.class, Map.of("BROADCAST_CONNECTION", "redis", "REDIS_URL", redis.url())))
          .doesNotContain("Exception");
    }
  }

  private static String run(Class<?> main, Map<String, String> env) throws Exception {
    ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), main.getName()).redirectErrorStream(true);
    builder.environment().putAll(env);
    Process process = builder.start();
    // a generous bound for a loaded machine: a lingering non-daemon thread keeps it alive for a minute
    boolean ended = process.waitFor(30, TimeUnit.SECONDS);
    if (!ended) {
      process.destroyForcibly().waitFor();
    }
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(ended).as("%s did not end 30 s after starting:\n%s", main.getSimpleName(), output).isTrue();
    assertThat(process.exitValue()).as(output).isZero();
    return output;
  }
}
