package dev.broadcasting.spring.autoconfigure;

import static io.micrometer.observation.tck.TestObservationRegistryAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.broadcasting.Broadcaster;
import dev.broadcasting.Channel;
import dev.broadcasting.PrivateChannel;
import dev.broadcasting.ShouldBroadcast;
import dev.broadcasting.micrometer.BroadcastServerMetrics;
import dev.broadcasting.spring.internal.BroadcastingHealthIndicator;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.observation.DefaultMeterObservationHandler;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.Observation;
import io.micrometer.observation.tck.TestObservationRegistry;
import java.net.ServerSocket;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Meters, observations and health of the auto-configured broadcaster, with the embedded server as its peer. */
class ObservabilityAndHealthTest {
  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(BroadcastingAutoConfigurationTest.all())
      .withUserConfiguration(Registries.class);

  private final ApplicationContextRunner withServer = runner.withPropertyValues("broadcasting.server.enabled=true",
      "broadcasting.server.host=127.0.0.1", "broadcasting.server.port=0", "broadcasting.server.app-id=1",
      "broadcasting.server.key=app-key", "broadcasting.server.secret=app-secret");

  record OrderShipped(long id) implements ShouldBroadcast {
    @Override
    public List<? extends Channel> broadcastOn() {
      return List.of(new PrivateChannel("orders." + id));
    }
  }

  @Test
  @SuppressWarnings("try") // the scope makes the observation current for broadcast()
  void theCallersTraceReachesThePublishAcrossTheQueueAndTheTimerIsTagged() {
    withServer.run(context -> {
      TestObservationRegistry observations = context.getBean(TestObservationRegistry.class);
      Broadcaster broadcaster = context.getBean(Broadcaster.class);

      Observation request = Observation.start("http.server.requests", observations);
      try (Observation.Scope scope = request.openScope()) {
        broadcaster.broadcast(new OrderShipped(1)).get(10, TimeUnit.SECONDS);
      }
      request.stop();

      assertThat(observations).hasObservationWithNameEqualTo("broadcasting.publish").that()
          .hasParentObservationEqualTo(request)
          .hasLowCardinalityKeyValue("connection", "server")
          .hasLowCardinalityKeyValue("driver", "server")
          .hasLowCardinalityKeyValue("outcome", "success");
      MeterRegistry meters = context.getBean(MeterRegistry.class);
      assertThat(meters.get("broadcasting.publish")
          .tags("connection", "server", "driver", "server", "outcome", "success").timer().count()).isEqualTo(1);
      assertThat(meters.get("broadcasting.queue.depth").gauge()).isNotNull();
    });
  }

  @Test
  void anApplicationsListenerBeanHearsEveryEventBesideTheMeters() {
    withServer.withBean(Heard.class).run(context -> {
      context.getBean(Broadcaster.class).broadcast(new OrderShipped(1)).get(10, TimeUnit.SECONDS);

      assertThat(context.getBean(Heard.class).events).containsExactly("OrderShipped via server");
      assertThat(context.getBean(MeterRegistry.class).get("broadcasting.delivery").timer().count()).isEqualTo(1);
    });
  }

  static class Heard implements dev.broadcasting.BroadcastListener {
    final List<String> events = new java.util.concurrent.CopyOnWriteArrayList<>();

    @Override
    public void onSent(dev.broadcasting.BroadcastEvent event, String connection, int attempts, long latencyNanos) {
      events.add(event.name() + " via " + connection);
    }
  }

  @Test
  void healthIsUpWithTheServersStateAndEachConnectionsRecord() {
    withServer.run(context -> {
      context.getBean(Broadcaster.class).broadcast(new OrderShipped(1)).get(10, TimeUnit.SECONDS);

      Health health = context.getBean(BroadcastingHealthIndicator.class).health(true);

      assertThat(health.getStatus()).isEqualTo(Status.UP);
      assertThat(health.getDetails()).containsEntry("defaultConnection", "server").containsKey("queueDepth");
      @SuppressWarnings("unchecked")
      Map<String, Map<String, Object>> connections = (Map<String, Map<String, Object>>) health.getDetails()
          .get("connections");
      assertThat(connections.get("server")).containsEntry("driver", "server")
          .containsEntry("reachability", "REACHABLE").containsEntry("sent", 1L).containsEntry("failed", 0L);
      @SuppressWarnings("unchecked")
      Map<String, Object> server = (Map<String, Object>) health.getDetails().get("server");
      assertThat(server).containsEntry("connections", Map.of("1", 0)).containsKey("port");

      MeterRegistry meters = context.getBean(MeterRegistry.class);
      context.getBean(BroadcastServerMetrics.class).bindTo(meters); // as Spring Boot's metrics support does
      assertThat(meters.get("broadcasting.server.connections").tag("app", "1").gauge().value()).isEqualTo(0.0);
    });
  }

  @Test
  void healthIsDownWhenAConnectionsLastEventFailedForGood() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    runner.withPropertyValues("broadcasting.default-connection=pusher", "broadcasting.pusher.app-id=3",
            "broadcasting.pusher.key=k", "broadcasting.pusher.secret=s", "broadcasting.pusher.host=127.0.0.1",
            "broadcasting.pusher.port=" + closedPort, "broadcasting.pusher.scheme=http",
            "broadcasting.retry.max-attempts=1")
        .run(context -> {
          BroadcastingHealthIndicator indicator = context.getBean(BroadcastingHealthIndicator.class);
          assertThat(indicator.health(true).getStatus()).as("before anything is sent").isEqualTo(Status.UP);

          assertThatThrownBy(() -> context.getBean(Broadcaster.class).broadcast(new OrderShipped(1))
              .get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);

          Health health = indicator.health(true);
          assertThat(health.getStatus()).isEqualTo(Status.DOWN);
          @SuppressWarnings("unchecked")
          Map<String, Object> pusher = ((Map<String, Map<String, Object>>) health.getDetails().get("connections"))
              .get("pusher");
          assertThat(pusher).containsEntry("reachability", "FAILING").containsEntry("failed", 1L);
          assertThat((String) pusher.get("lastError")).contains("OrderShipped").doesNotContain("secret=s");
          assertThat(context.getBean(MeterRegistry.class).get("broadcasting.failures")
              .tags("connection", "pusher", "reason", "failed").counter().count()).isEqualTo(1);
        });
  }

  @Configuration(proxyBeanMethods = false)
  static class Registries {
    @Bean
    SimpleMeterRegistry meterRegistry() {
      return new SimpleMeterRegistry();
    }

    @Bean
    TestObservationRegistry observationRegistry(SimpleMeterRegistry meters) {
      TestObservationRegistry registry = TestObservationRegistry.create();
      registry.observationConfig().observationHandler(new DefaultMeterObservationHandler(meters));
      return registry;
    }
  }
}
