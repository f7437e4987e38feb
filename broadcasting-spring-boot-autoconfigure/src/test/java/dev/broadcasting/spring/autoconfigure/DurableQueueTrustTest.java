package dev.broadcasting.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.broadcasting.Broadcaster;
import dev.broadcasting.Channel;
import dev.broadcasting.QueueStats;
import dev.broadcasting.queue.redis.RedisStreamQueue;
import dev.broadcasting.redis.RedisServer;
import dev.broadcasting.resp.TlsRedisFiles;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * {@code broadcasting.queue.redis.ca-file}, {@code trust-store} and {@code trust-store-password}
 * against a real redis-server on a TLS port with a self-signed certificate for {@code localhost}:
 * trusted through the property, an event is stored and read back over TLS and delivered; without it, or with a
 * wrong password, the context fails naming the setting, and never shows the password.
 */
class DurableQueueTrustTest {
  private static final String PASSWORD = "store-secret-42";
  private static RedisServer redis;
  private static int tlsPort;
  private static Path certificate;
  private static Path trustStore;

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(BroadcastingAutoConfigurationTest.all());

  @BeforeAll
  static void start() throws Exception {
    TlsRedisFiles tls = TlsRedisFiles.make();
    certificate = tls.certificate();
    trustStore = tls.trustStore(PASSWORD);
    tlsPort = tls.tlsPort();
    redis = RedisServer.start(tls.serverArgs());
  }

  @AfterAll
  static void stop() {
    redis.close();
  }

  private ApplicationContextRunner queueOverTls(String prefix, String... more) {
    return runner.withPropertyValues("broadcasting.default-connection=log", "broadcasting.queue.store=redis", "broadcasting.queue.redis.url=rediss://localhost:" + tlsPort,
        "broadcasting.queue.redis.partitions=2", "broadcasting.queue.redis.prefix=" + prefix).withPropertyValues(more);
  }

  @Test
  void caFileTrustsTheServerAndAnEventGoesThroughTheQueueToItsChannel() throws Exception {
    assertDelivered(queueOverTls("spring-ca", "broadcasting.queue.redis.ca-file=" + certificate));
  }

  @Test
  void aTrustStoreWithItsPasswordTrustsTheServerToo() throws Exception {
    assertDelivered(queueOverTls("spring-store", "broadcasting.queue.redis.trust-store=" + trustStore,
        "broadcasting.queue.redis.trust-store-password=" + PASSWORD));
  }

  /** An event's future completes only once a worker read it back over TLS and the log driver sent it. */
  private static void assertDelivered(ApplicationContextRunner configured) {
    configured.run(context -> {
      assertThat(context).hasNotFailed();
      context.getBean(Broadcaster.class).on(new Channel("orders")).as("Shipped").with(Map.of("n", 7)).send()
          .get(20, TimeUnit.SECONDS);
      QueueStats stats = context.getBean(RedisStreamQueue.class).stats();
      assertThat(stats.depth()).as("read over TLS and acknowledged").isZero();
      assertThat(stats.workers()).isEqualTo(1);
    });
  }

  @Test
  void withoutTrustTheContextFailsNamingTheHostAndTheSettingToSet() {
    queueOverTls("spring-untrusted").run(context -> assertThat(context).getFailure()
        .hasStackTraceContaining("Cannot connect the durable queue to Redis at rediss://localhost:" + tlsPort)
        .hasStackTraceContaining("give the queue the certificate authority that signed it "
            + "(broadcasting.queue.redis.ca-file (BROADCAST_QUEUE_REDIS_CA_FILE) for a PEM file, "
            + "broadcasting.queue.redis.trust-store (BROADCAST_QUEUE_REDIS_TRUST_STORE) for a PKCS12 or JKS store"));
  }

  @Test
  void aWrongPasswordFailsTheContextNamingTheSettingAndNeverShowingThePassword() {
    queueOverTls("spring-wrong", "broadcasting.queue.redis.trust-store=" + trustStore,
        "broadcasting.queue.redis.trust-store-password=wrong-secret-17").run(context -> {
          assertThat(context).getFailure().hasStackTraceContaining("broadcasting.queue.store (or BROADCAST_QUEUE) is "
              + "'redis': The durable queue's settings are invalid: broadcasting.queue.redis.trust-store-password "
              + "(BROADCAST_QUEUE_REDIS_TRUST_STORE_PASSWORD) does not open the trust store " + trustStore + " (the "
              + "password is wrong): set it to the password the store was made with Its settings: "
              + "broadcasting.queue.redis.* or BROADCAST_QUEUE_*");
          assertThat(stackTrace(context.getStartupFailure())).doesNotContain("wrong-secret-17").doesNotContain(PASSWORD);
        });
  }

  @Test
  void aCaFileThatDoesNotExistFailsTheContextNamingTheProperty() {
    Path missing = certificate.resolveSibling("missing.pem");
    queueOverTls("spring-missing", "broadcasting.queue.redis.ca-file=" + missing).run(context ->
        assertThat(context).getFailure().hasStackTraceContaining("The durable queue's settings are invalid: "
            + "broadcasting.queue.redis.ca-file (BROADCAST_QUEUE_REDIS_CA_FILE) is " + missing + ", which is not a "
            + "readable file (it does not exist): set it to the PEM file of the certificate authority that signed "
            + "Redis's certificate"));
  }

  private static String stackTrace(Throwable failure) {
    java.io.StringWriter out = new java.io.StringWriter();
    failure.printStackTrace(new java.io.PrintWriter(out));
    return out.toString();
  }
}
