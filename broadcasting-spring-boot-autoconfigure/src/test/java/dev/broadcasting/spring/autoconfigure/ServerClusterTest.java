package dev.broadcasting.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.broadcasting.Broadcaster;
import dev.broadcasting.Channel;
import dev.broadcasting.redis.RedisServer;
import dev.broadcasting.server.BroadcastServer;
import dev.broadcasting.server.redis.RedisBackplane;
import dev.broadcasting.server.spi.Backplane;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ConfigurableApplicationContext;

/** {@code broadcasting.server.backplane.*}: the embedded server as one node of a cluster on a real redis-server. */
class ServerClusterTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static RedisServer redis;

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(BroadcastingAutoConfigurationTest.all())
      .withPropertyValues("broadcasting.server.enabled=true", "broadcasting.server.host=127.0.0.1",
          "broadcasting.server.port=0", "broadcasting.server.app-id=1", "broadcasting.server.key=app-key",
          "broadcasting.server.secret=app-secret");

  @BeforeAll
  static void startRedis() throws Exception {
    redis = RedisServer.start();
  }

  @AfterAll
  static void stopRedis() {
    redis.close();
  }

  @Test
  void withABackplaneUrlTheServerIsANodeOnThatRedis() {
    runner.withPropertyValues("broadcasting.server.backplane.url=" + redis.uri(),
            "broadcasting.server.backplane.node-id=node-a", "broadcasting.server.backplane.lease=5s")
        .run(context -> {
          assertThat(context).hasNotFailed().hasSingleBean(BroadcastServer.class).hasSingleBean(RedisBackplane.class);
          assertThat(context.getBean(RedisBackplane.class).nodeId()).isEqualTo("node-a");
        });
  }

  @Test
  void withoutABackplaneUrlTheServerRunsAlone() {
    runner.run(context -> assertThat(context).hasNotFailed().hasSingleBean(BroadcastServer.class)
        .doesNotHaveBean(Backplane.class));
  }

  @Test
  void aBackplaneUrlWithoutTheRedisModuleFailsStartupNamingTheDependency() {
    runner.withClassLoader(new FilteredClassLoader(RedisBackplane.class))
        .withPropertyValues("broadcasting.server.backplane.url=" + redis.uri())
        .run(context -> assertThat(context).hasFailed().getFailure().hasStackTraceContaining(
            "broadcasting.server.backplane.url is set, but broadcasting-server-redis is not on the class path: "
                + "add the dependency dev.broadcasting:broadcasting-server-redis"));
  }

  @Test
  void anInvalidBackplaneSettingFailsStartupNamingIt() {
    runner.withPropertyValues("broadcasting.server.backplane.url=" + redis.uri(),
            "broadcasting.server.backplane.node-id=no spaces")
        .run(context -> assertThat(context).hasFailed().getFailure().hasStackTraceContaining(
            "broadcasting.server.backplane is invalid: nodeId \"no spaces\" is invalid"));
  }

  @Test
  void anEventBroadcastInOneContextReachesAClientOfTheOther() throws Exception {
    ApplicationContextRunner node = runner.withPropertyValues("broadcasting.server.backplane.url=" + redis.uri());
    node.run(first -> node.run(second -> {
      int port = second.getBean(BroadcastServer.class).port();
      BlockingQueue<JsonNode> frames = new LinkedBlockingQueue<>();
      WebSocket socket = HttpClient.newHttpClient().newWebSocketBuilder()
          .buildAsync(URI.create("ws://127.0.0.1:" + port + "/app/app-key?protocol=7&client=java&version=1"),
              new Frames(frames))
          .get(20, TimeUnit.SECONDS);
      try {
        assertThat(next(frames, "pusher:connection_established")).isNotNull();
        socket.sendText("{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":\"orders\"}}", true);
        assertThat(next(frames, "pusher_internal:subscription_succeeded").path("channel").asText()).isEqualTo("orders");

        first.getBean(Broadcaster.class).on(new Channel("orders")).as("OrderShipped").with(Map.of("id", 42)).send()
            .get(20, TimeUnit.SECONDS);

        JsonNode event = next(frames, "OrderShipped");
        assertThat(event.path("channel").asText()).isEqualTo("orders");
        assertThat(event.path("data").asText()).isEqualTo("{\"id\":42}");
        assertThat(((ConfigurableApplicationContext) first).getBean(BroadcastServer.class).port()).isNotEqualTo(port);
      } finally {
        socket.abort();
      }
    }));
  }

  /** The next frame of {@code event}, skipping others; fails after 20 s without one. */
  private static JsonNode next(BlockingQueue<JsonNode> frames, String event) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (true) {
      JsonNode frame = frames.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
      assertThat(frame).as("a " + event + " frame within 20 s").isNotNull();
      if (frame.path("event").asText().equals(event)) {
        return frame;
      }
    }
  }

  /** Collects each text frame as JSON. */
  private record Frames(BlockingQueue<JsonNode> frames) implements WebSocket.Listener {
    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      try {
        frames.add(JSON.readTree(data.toString()));
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
      webSocket.request(1);
      return null;
    }
  }
}
