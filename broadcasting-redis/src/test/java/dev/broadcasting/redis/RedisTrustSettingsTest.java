package dev.broadcasting.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.broadcasting.BroadcastException;
import dev.broadcasting.Broadcaster;
import dev.broadcasting.Channel;
import dev.broadcasting.internal.DriverRegistry;
import dev.broadcasting.resp.TlsRedisFiles;
import dev.broadcasting.spi.BroadcastDriver;
import dev.broadcasting.spi.DriverSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The driver's TLS trust from its settings ({@code BROADCAST_REDIS_CA_FILE},
 * {@code BROADCAST_REDIS_TRUST_STORE} and its password), end to end through
 * {@code Broadcaster.fromMap} against a real redis-server whose self-signed certificate only those
 * settings trust, on the publish socket and through lettuce; and each setting that cannot be used
 * refused when the driver is built.
 */
class RedisTrustSettingsTest {
  private static final String PASSWORD = "store-secret-42";
  private static TlsRedisFiles tls;
  private static RedisServer redis;
  private static Path trustStore;

  @BeforeAll
  static void start() throws Exception {
    tls = TlsRedisFiles.make();
    redis = RedisServer.start(tls.serverArgs());
    trustStore = tls.trustStore(PASSWORD);
  }

  @AfterAll
  static void stop() {
    redis.close();
  }

  private static Map<String, String> settings(String... more) {
    Map<String, String> settings = new HashMap<>(Map.of("BROADCAST_CONNECTION", "redis",
        "REDIS_URL", "rediss://localhost:" + tls.tlsPort(), "BROADCAST_REDIS_TIMEOUT", "30s")); // far above what "at once" allows below
    for (int i = 0; i < more.length; i += 2) {
      settings.put(more[i], more[i + 1]);
    }
    return settings;
  }

  /** Two events on one channel and one on two channels: the exact bytes a subscriber on the plain port gets. */
  private static void assertDelivered(Map<String, String> settings) throws Exception {
    try (RedisSubscriber subscriber = RedisSubscriber.pattern(redis.port(), "*");
        Broadcaster broadcaster = Broadcaster.fromMap(settings)) {
      broadcaster.on(new Channel("orders.1")).as("Placed").with(Map.of("n", 1)).send().get(10, TimeUnit.SECONDS);
      broadcaster.on(new Channel("orders.1")).as("Shipped").with(Map.of("n", 2)).send().get(10, TimeUnit.SECONDS);
      broadcaster.on(new Channel("a"), new Channel("b")).as("Both").with(Map.of("n", 3)).send()
          .get(10, TimeUnit.SECONDS);

      assertThat(subscriber.settle(redis.port())).extracting(r -> r.channel() + " " + r.text()).containsExactly(
          "orders.1 {\"event\":\"Placed\",\"data\":{\"n\":1},\"socket\":null}",
          "orders.1 {\"event\":\"Shipped\",\"data\":{\"n\":2},\"socket\":null}",
          "a {\"event\":\"Both\",\"data\":{\"n\":3},\"socket\":null}",
          "b {\"event\":\"Both\",\"data\":{\"n\":3},\"socket\":null}");
    }
  }

  @Test
  void aPemCaFileTrustsTheServerAndTheEventsArriveExactly() throws Exception {
    assertDelivered(settings("BROADCAST_REDIS_CA_FILE", tls.certificate().toString()));
  }

  @Test
  void aPemCaFileTrustsTheServerThroughLettuceToo() throws Exception {
    assertDelivered(settings("BROADCAST_REDIS_CA_FILE", tls.certificate().toString(),
        "BROADCAST_REDIS_PUBLISH_SOCKET", "false"));
  }

  @Test
  void aPkcs12TrustStoreWithItsPasswordTrustsTheServerAndTheEventsArriveExactly() throws Exception {
    assertDelivered(settings("BROADCAST_REDIS_TRUST_STORE", trustStore.toString(),
        "BROADCAST_REDIS_TRUST_STORE_PASSWORD", PASSWORD));
  }

  @Test
  void withoutATrustSettingTheServerIsRefusedAtOnceNamingTheHostAndTheSettings() {
    long start = System.nanoTime();
    BroadcastException refused = assertThrows(BroadcastException.class,
        () -> DriverRegistry.create("redis", DriverSettings.of(settings())).close());

    assertThat(refused).hasMessageStartingWith("Cannot start the redis broadcast driver: Cannot connect to Redis at "
            + "rediss://localhost:" + tls.tlsPort() + ": Redis's certificate at localhost:" + tls.tlsPort()
            + " was refused (verifyPeer=FULL): ")
        .hasMessageContaining("PKIX path building failed")
        .hasMessageEndingWith(". Give the redis driver the certificate authority that signed it (BROADCAST_REDIS_CA_FILE "
            + "for a PEM file, BROADCAST_REDIS_TRUST_STORE for a PKCS12 or JKS store, sslOptions(...) in code), use the "
            + "host name the certificate names, or lower verifyPeer in the URI");
    assertThat(refused.isRetryable()).as("a refused certificate is not cured by trying again").isFalse();
    assertThat(Duration.ofNanos(System.nanoTime() - start)).as("not retried until the timeout of 30 s")
        .isLessThan(Duration.ofSeconds(15));
  }

  @Test
  void throughLettuceWithoutATrustSettingTheServerIsRefusedNamingTheHostAndTheSettings() {
    BroadcastException refused = assertThrows(BroadcastException.class, () -> DriverRegistry.create("redis",
        DriverSettings.of(settings("BROADCAST_REDIS_PUBLISH_SOCKET", "false"))).close());

    assertThat(refused).hasMessageStartingWith("Cannot start the redis broadcast driver: ")
        .hasMessageContaining("localhost:" + tls.tlsPort())
        .hasMessageEndingWith(". Give the redis driver the certificate authority that signed it (BROADCAST_REDIS_CA_FILE "
            + "for a PEM file, BROADCAST_REDIS_TRUST_STORE for a PKCS12 or JKS store, sslOptions(...) in code), use the "
            + "host name the certificate names, or lower verifyPeer in the URI");
  }

  private static String refusal(String... settings) {
    return assertThrows(BroadcastException.class,
        () -> DriverRegistry.create("redis", DriverSettings.of(settings(settings))).close()).getMessage();
  }

  // every refusal of the rule itself: broadcasting-redis-resp's TrustSettingsTest; here, that the driver names its settings

  @Test
  void aWrongTrustStorePasswordIsRefusedNamingTheDriversSettingAndNeverShowingThePassword() {
    String wrong = refusal("BROADCAST_REDIS_TRUST_STORE", trustStore.toString(),
        "BROADCAST_REDIS_TRUST_STORE_PASSWORD", "wrong-secret-17");
    assertThat(wrong).isEqualTo("Redis settings are invalid: BROADCAST_REDIS_TRUST_STORE_PASSWORD does not open the "
        + "trust store " + trustStore + " (the password is wrong): set it to the password the store was made with");
    assertThat(wrong).doesNotContain("wrong-secret-17").doesNotContain(PASSWORD);
  }

  @Test
  void aCaFileWithAPlainUrlIsRefusedNamingRedisUrl() {
    assertThat(refusal("REDIS_URL", redis.uri(), "BROADCAST_REDIS_CA_FILE", tls.certificate().toString()))
        .isEqualTo("Redis settings are invalid: BROADCAST_REDIS_CA_FILE or BROADCAST_REDIS_TRUST_STORE is set, but "
            + "the redis driver's Redis URL is not a TLS one: use rediss:// in REDIS_URL, or unset them");
  }

  @Test
  void theDriverBuiltFromATrustStoreShowsNeitherItsPasswordNorItsPath() throws Exception {
    try (BroadcastDriver driver = DriverRegistry.create("redis", DriverSettings.of(settings(
        "BROADCAST_REDIS_TRUST_STORE", trustStore.toString(), "BROADCAST_REDIS_TRUST_STORE_PASSWORD", PASSWORD)))) {
      assertThat(driver).hasToString("RedisBroadcastDriver{rediss://localhost:" + tls.tlsPort() + "}");
    }
  }

  @Test
  void aUrlBuiltFromRedisHostIsNotATlsOneSoATrustSettingIsRefused() {
    Map<String, String> parts = new HashMap<>(Map.of("REDIS_HOST", "localhost", "REDIS_PORT",
        Integer.toString(redis.port()), "BROADCAST_REDIS_CA_FILE", tls.certificate().toString()));
    assertThatThrownBy(() -> DriverRegistry.create("redis", DriverSettings.of(parts)).close())
        .isInstanceOf(BroadcastException.class).hasMessageEndingWith("use rediss:// in REDIS_URL, or unset them");
  }
}
