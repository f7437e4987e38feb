package dev.broadcasting.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.broadcasting.Broadcaster;
import dev.broadcasting.ChannelAuthorizer;
import dev.broadcasting.micrometer.BroadcastObservability;
import dev.broadcasting.micrometer.BroadcastServerMetrics;
import dev.broadcasting.server.BroadcastServer;
import dev.broadcasting.spring.BroadcasterCustomizer;
import dev.broadcasting.spring.TransactionalBroadcaster;
import dev.broadcasting.spring.internal.BroadcastingHealthIndicator;
import dev.broadcasting.spring.internal.ReactiveAuthEndpoints;
import dev.broadcasting.spring.internal.ServletAuthEndpoints;
import dev.broadcasting.testing.BroadcastFake;
import java.security.Principal;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/** Both sides of every condition of the auto-configuration. */
public class BroadcastingAutoConfigurationTest {
  static final AutoConfigurations ALL = AutoConfigurations.of(BroadcastingAutoConfiguration.class,
      BroadcastingServerAutoConfiguration.class, BroadcastingObservabilityAutoConfiguration.class,
      BroadcastingWebMvcAutoConfiguration.class, BroadcastingWebFluxAutoConfiguration.class,
      BroadcastingTransactionAutoConfiguration.class, BroadcastingHealthAutoConfiguration.class);

  /** Every auto-configuration of the module, for the other tests' runners. */
  public static AutoConfigurations all() {
    return ALL;
  }

  private final ApplicationContextRunner runner = new ApplicationContextRunner().withConfiguration(ALL);

  @Test
  void withNothingSetEventsGoToTheLogDriver() {
    runner.run(context -> {
      Broadcaster broadcaster = context.getBean(Broadcaster.class);
      assertThat(broadcaster.connectionNames()).containsExactly("log");
      assertThat(broadcaster.defaultConnection()).isEqualTo("log");
      assertThat(context).hasSingleBean(ChannelAuthorizer.class).hasSingleBean(TransactionalBroadcaster.class)
          .hasSingleBean(BroadcastObservability.class).hasSingleBean(BroadcastingHealthIndicator.class)
          .doesNotHaveBean(BroadcastServer.class)
          .doesNotHaveBean(ServletAuthEndpoints.class).doesNotHaveBean(ReactiveAuthEndpoints.class);
    });
  }

  @Test
  void withoutCoreNothingIsConfigured() {
    runner.withClassLoader(new FilteredClassLoader(Broadcaster.class))
        .run(context -> assertThat(context).doesNotHaveBean("broadcaster").doesNotHaveBean(ChannelAuthorizer.class));
  }

  @Test
  void anApplicationsOwnBroadcasterAndAuthorizerWin() {
    runner.withUserConfiguration(OwnBeans.class).run(context -> {
      assertThat(context.getBean(Broadcaster.class)).isSameAs(context.getBean(OwnBeans.class).own);
      assertThat(context.getBean(ChannelAuthorizer.class)).isSameAs(OwnBeans.AUTHORIZER);
    });
  }

  @Test
  void connectionsComeFromTheProperties() {
    runner.withPropertyValues(
            "broadcasting.default-connection=main",
            "broadcasting.pusher.app-id=3", "broadcasting.pusher.key=278d425bdf160c739803",
            "broadcasting.pusher.secret=7ad3773142a6692b25b8",
            "broadcasting.connections.main.driver=pusher",
            "broadcasting.connections.eu.driver=pusher",
            "broadcasting.connections.eu.settings.PUSHER_APP_CLUSTER=eu",
            "broadcasting.connections.audit.driver=log",
            "broadcasting.queue.capacity=5", "broadcasting.retry.max-attempts=2")
        .run(context -> {
          Broadcaster broadcaster = context.getBean(Broadcaster.class);
          assertThat(broadcaster.connectionNames()).containsExactly("main", "eu", "audit");
          assertThat(broadcaster.defaultConnection()).isEqualTo("main");
        });
  }

  @Test
  void laravelsEnvironmentNamesStillWork() {
    runner.withPropertyValues("BROADCAST_CONNECTION=pusher", "PUSHER_APP_ID=3",
            "PUSHER_APP_KEY=278d425bdf160c739803", "PUSHER_APP_SECRET=7ad3773142a6692b25b8")
        .run(context -> {
          Broadcaster broadcaster = context.getBean(Broadcaster.class);
          assertThat(broadcaster.connectionNames()).containsExactly("pusher");
          assertThat(broadcaster.authSigner().signPrivate("1234.1234", "private-foobar"))
              .contains("278d425bdf160c739803:58df8b0c36d6982b82c3ecf6b4662e34fe8c25bba48f5369f135bf843651c3a4");
        });
  }

  @Test
  void aBroadcastingPropertyWinsOverTheEnvironmentName() {
    runner.withPropertyValues("BROADCAST_CONNECTION=pusher", "broadcasting.default-connection=null")
        .run(context -> assertThat(context.getBean(Broadcaster.class).connectionNames()).containsExactly("null"));
  }

  @Test
  void aWrongQueueSettingFailsStartupNamingTheProperty() {
    runner.withPropertyValues("broadcasting.queue.capacity=0").run(context -> assertThat(context).hasFailed()
        .getFailure().hasStackTraceContaining(
            "broadcasting.queue.capacity is invalid: queueCapacity must be at least 1 but was 0"));
  }

  @Test
  void aMissingOrUnknownDefaultConnectionFailsStartupNamingTheProperty() {
    runner.withPropertyValues("broadcasting.connections.a.driver=log", "broadcasting.connections.b.driver=null")
        .run(context -> assertThat(context).hasFailed().getFailure().hasStackTraceContaining(
            "Several broadcasting connections [a, b] and no default: set broadcasting.default-connection"));
    runner.withPropertyValues("broadcasting.connections.a.driver=log", "broadcasting.default-connection=c")
        .run(context -> assertThat(context).hasFailed().getFailure().hasStackTraceContaining(
            "broadcasting.default-connection (or BROADCAST_CONNECTION) is 'c', which is not one of the connections [a]"));
  }

  @Test
  void anUnknownDriverFailsStartupSayingWhichArtifactToAdd() {
    runner.withPropertyValues("broadcasting.connections.main.driver=kafka").run(context -> assertThat(context)
        .hasFailed().getFailure().rootCause().hasMessageContaining("No broadcast driver named 'kafka'")
        .hasMessageContaining("dev.broadcasting:broadcasting-kafka"));
  }

  @Test
  void whenStartupFailsTheDriversAlreadyMadeAreClosed() throws Exception {
    int port;
    try (java.net.ServerSocket probe = new java.net.ServerSocket(0)) {
      port = probe.getLocalPort();
    }
    runner.withPropertyValues("broadcasting.connections.ws.driver=server",
            "broadcasting.connections.ws.settings.PUSHER_APP_ID=leak", "broadcasting.connections.ws.settings.PUSHER_APP_KEY=k",
            "broadcasting.connections.ws.settings.PUSHER_APP_SECRET=s",
            "broadcasting.connections.ws.settings.BROADCAST_SERVER_HOST=127.0.0.1",
            "broadcasting.connections.ws.settings.BROADCAST_SERVER_PORT=" + port,
            "broadcasting.connections.zz.driver=kafka", "broadcasting.default-connection=ws")
        .run(context -> assertThat(context).hasFailed());
    try (java.net.ServerSocket again = new java.net.ServerSocket(port, 1,
        java.net.InetAddress.getByName("127.0.0.1"))) {
      assertThat(again.getLocalPort()).as("the server driver's own server was stopped").isEqualTo(port);
    }
  }

  @Test
  void customizersChangeTheBuilder() {
    runner.withUserConfiguration(Customized.class)
        .run(context -> assertThat(context.getBean(Broadcaster.class).connectionNames()).containsExactly("log", "extra"));
  }

  @Test
  void theEmbeddedServerStartsOnlyWhenEnabled() {
    runner.withPropertyValues("broadcasting.server.enabled=true", "broadcasting.server.host=127.0.0.1",
            "broadcasting.server.port=0", "broadcasting.server.app-id=1", "broadcasting.server.key=app-key",
            "broadcasting.server.secret=app-secret")
        .run(context -> {
          assertThat(context).hasSingleBean(BroadcastServer.class);
          Broadcaster broadcaster = context.getBean(Broadcaster.class);
          assertThat(broadcaster.connectionNames()).containsExactly("server");
          assertThat(broadcaster.defaultConnection()).isEqualTo("server");
          assertThat(context.getBean(BroadcastServer.class).port()).isPositive();
          assertThat(context).hasSingleBean(BroadcastServerMetrics.class);
        });
    runner.withPropertyValues("broadcasting.server.enabled=false")
        .run(context -> assertThat(context).doesNotHaveBean(BroadcastServer.class)
            .doesNotHaveBean(BroadcastServerMetrics.class));
  }

  @Test
  void anEnabledServerWithoutItsAppFailsStartupNamingTheProperties() {
    runner.withPropertyValues("broadcasting.server.enabled=true", "broadcasting.server.port=0")
        .run(context -> assertThat(context).hasFailed().getFailure().hasStackTraceContaining(
            "broadcasting.server.enabled is true, but the server cannot start: Missing setting PUSHER_APP_ID"));
  }

  @Test
  void withoutTheServerModuleTheServerPropertyDoesNothing() {
    runner.withClassLoader(new FilteredClassLoader(BroadcastServer.class))
        .withPropertyValues("broadcasting.server.enabled=true")
        .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean("broadcastServer"));
  }

  @Test
  void withoutMicrometerTheDriversAreNotObserved() {
    runner.withClassLoader(new FilteredClassLoader(BroadcastObservability.class))
        .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean("broadcastObservability")
            .hasSingleBean(BroadcastingHealthIndicator.class));
  }

  @Test
  void withoutSpringTransactionsThereIsNoTransactionalBroadcaster() {
    runner.withClassLoader(new FilteredClassLoader(TransactionSynchronizationManager.class))
        .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean("transactionalBroadcaster"));
  }

  @Test
  void theHealthIndicatorFollowsItsSwitchAndTheClassPath() {
    runner.withPropertyValues("management.health.broadcasting.enabled=false")
        .run(context -> assertThat(context).doesNotHaveBean(BroadcastingHealthIndicator.class));
    runner.withClassLoader(new FilteredClassLoader(HealthIndicator.class))
        .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean("broadcastingHealthIndicator"));
  }

  @Test
  void authEndpointsInServletAndReactiveApplicationsUnlessSwitchedOff() {
    WebApplicationContextRunner servlet = new WebApplicationContextRunner().withConfiguration(ALL);
    servlet.run(context -> assertThat(context).hasSingleBean(ServletAuthEndpoints.class)
        .doesNotHaveBean(ReactiveAuthEndpoints.class));
    servlet.withPropertyValues("broadcasting.auth.enabled=false")
        .run(context -> assertThat(context).doesNotHaveBean(ServletAuthEndpoints.class));
    ReactiveWebApplicationContextRunner reactive = new ReactiveWebApplicationContextRunner().withConfiguration(ALL);
    reactive.run(context -> assertThat(context).hasSingleBean(ReactiveAuthEndpoints.class)
        .doesNotHaveBean(ServletAuthEndpoints.class));
    reactive.withPropertyValues("broadcasting.auth.enabled=false")
        .run(context -> assertThat(context).doesNotHaveBean(ReactiveAuthEndpoints.class));
  }

  @Configuration(proxyBeanMethods = false)
  static class OwnBeans {
    static final ChannelAuthorizer<Principal> AUTHORIZER = ChannelAuthorizer.create(new BroadcastFake().broadcaster());
    final Broadcaster own = new BroadcastFake().broadcaster();

    @Bean
    Broadcaster broadcaster() {
      return own;
    }

    @Bean
    ChannelAuthorizer<Principal> channelAuthorizer() {
      return AUTHORIZER;
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class Customized {
    @Bean
    BroadcasterCustomizer extraConnection() {
      return builder -> builder.connection("extra", "null", java.util.Map.of()).defaultConnection("log");
    }
  }
}
