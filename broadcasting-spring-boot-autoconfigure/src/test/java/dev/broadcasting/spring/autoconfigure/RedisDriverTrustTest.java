package dev.broadcasting.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.broadcasting.Broadcaster;
import dev.broadcasting.Channel;
import dev.broadcasting.redis.RedisServer;
import dev.broadcasting.resp.TlsRedisFiles;
import io.lettuce.core.RedisClient;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * {@code broadcasting.redis.ca-file}, {@code trust-store}, {@code trust-store-password} and
 * {@code publish-socket} against a real redis-server on a TLS port with a self-signed certificate
 * for {@code localhost}: trusted through the property, the redis driver publishes and a subscriber
 * on the plain port gets the exact message; without it, or with a wrong password, the context fails
 * naming the property, and never shows the password.
 */
class RedisDriverTrustTest {
  private static final String PASSWORD = "store-secret-42";
  private static TlsRedisFiles tls;
  private static RedisServer redis;
  private static Path trustStore;

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(BroadcastingAutoConfigurationTest.all());

  @BeforeAll
  static void start() throws Exception {
    tls = TlsRedisFiles.make();
    trustStore = tls.trustStore(PASSWORD);
    redis = RedisServer.start(tls.serverArgs());
  }

  @AfterAll
  static void stop() {
    redis.close();
  }

  private ApplicationContextRunner redisOverTls(String... more) {
    return runner.withPropertyValues("broadcasting.default-connection=redis",
        "broadcasting.redis.url=rediss://localhost:" + tls.tlsPort()).withPropertyValues(more);
  }

  @Test
  void caFileTrustsTheServerAndTheSubscriberGetsTheExactMessage() throws Exception {
    assertDelivered(redisOverTls("broadcasting.redis.ca-file=" + tls.certificate()));
  }

  @Test
  void caFileTrustsTheServerThroughLettuceWhenPublishSocketIsFalse() throws Exception {
    assertDelivered(redisOverTls("broadcasting.redis.ca-file=" + tls.certificate(),
        "broadcasting.redis.publish-socket=false"));
  }

  @Test
  void aTrustStoreWithItsPasswordTrustsTheServerToo() throws Exception {
    assertDelivered(redisOverTls("broadcasting.redis.trust-store=" + trustStore,
        "broadcasting.redis.trust-store-password=" + PASSWORD));
  }

  private static void assertDelivered(ApplicationContextRunner configured) throws Exception {
    BlockingQueue<String> received = new LinkedBlockingQueue<>();
    RedisClient client = RedisClient.create(redis.uri());
    try (StatefulRedisPubSubConnection<String, String> subscriber = client.connectPubSub()) {
      subscriber.addListener(new RedisPubSubAdapter<>() {
        @Override
        public void message(String pattern, String channel, String message) {
          received.add(channel + " " + message);
        }
      });
      subscriber.sync().psubscribe("*");
      configured.run(context -> {
        assertThat(context).hasNotFailed();
        context.getBean(Broadcaster.class).on(new Channel("orders")).as("Shipped").with(Map.of("n", 7)).send()
            .get(10, TimeUnit.SECONDS);
      });
      List<String> messages = new ArrayList<>();
      String first = received.poll(10, TimeUnit.SECONDS);
      if (first != null) {
        messages.add(first);
      }
      received.drainTo(messages);
      assertThat(messages).containsExactly("orders {\"event\":\"Shipped\",\"data\":{\"n\":7},\"socket\":null}");
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }

  @Test
  void eachPropertyReachesTheDriverByItsEnvironmentName() {
    BroadcastingProperties properties = new BroadcastingProperties();
    BroadcastingProperties.Redis redis = properties.getRedis();
    redis.setUrl("rediss://r:6380");
    redis.setHost("h");
    redis.setPort(6390);
    redis.setPassword("pw");
    redis.setPrefix("p_");
    redis.setCaFile("/ca.pem");
    redis.setTrustStore("/trust.p12");
    redis.setTrustStorePassword("secret");
    redis.setPublishSocket(false);
    assertThat(new TreeMap<>(properties.laravelSettings("redis", new BroadcastingProperties.Connection())))
        .isEqualTo(new TreeMap<>(Map.of("REDIS_URL", "rediss://r:6380", "REDIS_HOST", "h", "REDIS_PORT", "6390",
            "REDIS_PASSWORD", "pw", "BROADCAST_REDIS_PREFIX", "p_", "BROADCAST_REDIS_CA_FILE", "/ca.pem",
            "BROADCAST_REDIS_TRUST_STORE", "/trust.p12", "BROADCAST_REDIS_TRUST_STORE_PASSWORD", "secret",
            "BROADCAST_REDIS_PUBLISH_SOCKET", "false")));
  }

  @Test
  void withoutTrustTheContextFailsNamingTheHostAndThePropertiesToSet() {
    redisOverTls().run(context -> assertThat(context).getFailure()
        .hasStackTraceContaining("broadcasting connection 'redis' (driver redis): Cannot start the redis broadcast "
            + "driver: Cannot connect to Redis at rediss://localhost:" + tls.tlsPort())
        .hasStackTraceContaining("Give the redis driver the certificate authority that signed it "
            + "(broadcasting.redis.ca-file (BROADCAST_REDIS_CA_FILE) for a PEM file, "
            + "broadcasting.redis.trust-store (BROADCAST_REDIS_TRUST_STORE) for a PKCS12 or JKS store"));
  }

  @Test
  void aWrongPasswordFailsTheContextNamingThePropertyAndNeverShowingThePassword() {
    redisOverTls("broadcasting.redis.trust-store=" + trustStore,
        "broadcasting.redis.trust-store-password=wrong-secret-17").run(context -> {
          assertThat(context).getFailure().hasStackTraceContaining("broadcasting connection 'redis' (driver redis): "
              + "Redis settings are invalid: broadcasting.redis.trust-store-password "
              + "(BROADCAST_REDIS_TRUST_STORE_PASSWORD) does not open the trust store " + trustStore + " (the "
              + "password is wrong): set it to the password the store was made with");
          java.io.StringWriter trace = new java.io.StringWriter();
          context.getStartupFailure().printStackTrace(new java.io.PrintWriter(trace));
          assertThat(trace.toString()).doesNotContain("wrong-secret-17").doesNotContain(PASSWORD);
        });
  }
}
