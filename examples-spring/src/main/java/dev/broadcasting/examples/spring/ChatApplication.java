package dev.broadcasting.examples.spring;

import dev.broadcasting.Broadcaster;
import dev.broadcasting.examples.chat.ChatDemo;
import dev.broadcasting.examples.chat.Tick;
import dev.broadcasting.server.App;
import dev.broadcasting.server.BroadcastServer;
import dev.broadcasting.spring.autoconfigure.BroadcastingProperties;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.Scheduled;

/**
 * The chat demo as a Spring Boot application, at {@code http://localhost:8080}: the page of the
 * plain demo, the embedded server started by {@code broadcasting.server.enabled=true}, channel
 * callbacks in {@link ChatChannels}, the login in {@link ChatController} through Spring Security.
 *
 * <pre>{@code
 * mvn -B -q -Pchat-page install -DskipTests && mvn -B -pl examples-spring exec:java
 * }</pre>
 */
@SpringBootApplication
@EnableScheduling
public class ChatApplication {
  private final Broadcaster broadcaster;
  private final AtomicLong ticks = new AtomicLong();

  public ChatApplication(Broadcaster broadcaster) {
    this.broadcaster = broadcaster;
  }

  /** The public channel's heartbeat: anyone may listen, no auth involved. */
  @Scheduled(fixedRate = 1000, initialDelay = 1000)
  void tick() {
    broadcaster.broadcast(new Tick(ticks.incrementAndGet(), Instant.now().truncatedTo(ChronoUnit.MILLIS).toString()));
  }

  /**
   * The embedded server, with the chat's history for recovery ({@link ChatDemo#keepHistory}): the
   * starter has no setting for history rules yet, so the app builds the server from the same
   * {@code broadcasting.server.*} properties; the starter still connects the broadcaster to it.
   */
  @Bean(destroyMethod = "close")
  static BroadcastServer broadcastServer(BroadcastingProperties properties) {
    BroadcastingProperties.Server server = properties.getServer();
    App.Builder app = ChatDemo.keepHistory(App.builder(server.getAppId(), server.getKey(), server.getSecret()));
    if (server.getAllowedOrigins() != null) {
      app.allowedOrigins(server.getAllowedOrigins().stream().filter(origin -> !origin.isBlank()).toArray(String[]::new));
    }
    return BroadcastServer.builder().host(server.getHost()).port(server.getPort()).app(app.build()).build().start();
  }

  public static void main(String[] args) {
    SpringApplication.run(ChatApplication.class, args);
  }
}
