package dev.broadcasting.examples.spring;

import dev.broadcasting.Broadcaster;
import dev.broadcasting.examples.chat.Tick;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.Scheduled;

/**
 * The chat demo as a Spring Boot application, at {@code http://localhost:8080}: the page of the
 * plain demo, the embedded server started by {@code broadcasting.server.enabled=true} with the
 * chat's history for recovery ({@code broadcasting.server.history}, application.properties), channel
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

  public static void main(String[] args) {
    SpringApplication.run(ChatApplication.class, args);
  }
}
