package dev.broadcasting.queue.redis;

import static dev.broadcasting.queue.redis.QueueTransportsTest.assertDeliversOnceInOrder;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.broadcasting.BroadcastException;
import dev.broadcasting.Broadcaster;
import dev.broadcasting.queue.redis.internal.RedisQueueProvider;
import dev.broadcasting.spi.BroadcastQueue;
import dev.broadcasting.spi.DriverSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The queue's TLS trust from its settings ({@code BROADCAST_QUEUE_REDIS_CA_FILE},
 * {@code BROADCAST_QUEUE_REDIS_TRUST_STORE} and its password), end to end through
 * {@code Broadcaster.fromMap} against a real redis-server whose self-signed certificate only those
 * settings trust; and each setting that cannot be used refused when the queue is built.
 */
class QueueTrustSettingsTest {
  private static final String PASSWORD = "store-secret-42";
  private static TlsRedis redis;
  private static RedisNode delivery;
  private static Path trustStore;
  private static Path dir;

  @BeforeAll
  static void start() throws Exception {
    redis = TlsRedis.start();
    delivery = RedisNode.start();
    dir = Files.createTempDirectory("queue-trust-");
    trustStore = redis.files().trustStore(PASSWORD);
  }

  @AfterAll
  static void stop() throws Exception {
    redis.close();
    delivery.close();
  }

  /** A broadcaster's settings: the redis driver delivers to {@code delivery}; the queue is on the TLS port. */
  private static Map<String, String> settings(String prefix, String... more) {
    Map<String, String> settings = new HashMap<>(Map.of("BROADCAST_CONNECTION", "redis", "REDIS_URL", delivery.uri(),
        "BROADCAST_QUEUE", "redis", "BROADCAST_QUEUE_REDIS_URL", "rediss://localhost:" + redis.tlsPort(),
        "BROADCAST_QUEUE_PARTITIONS", "2", "BROADCAST_QUEUE_PREFIX", prefix));
    for (int i = 0; i < more.length; i += 2) {
      settings.put(more[i], more[i + 1]);
    }
    return settings;
  }

  @Test
  void aPemCaFileTrustsTheServerAndTheEventsAreDelivered() throws Exception {
    try (Broadcaster broadcaster = Broadcaster.fromMap(settings("ca-file", "BROADCAST_QUEUE_REDIS_CA_FILE",
        redis.certificate().toString()))) {
      assertDeliversOnceInOrder(broadcaster, delivery.uri());
    }
  }

  @Test
  void aPkcs12TrustStoreWithItsPasswordTrustsTheServerAndTheEventsAreDelivered() throws Exception {
    try (Broadcaster broadcaster = Broadcaster.fromMap(settings("trust-store", "BROADCAST_QUEUE_REDIS_TRUST_STORE",
        trustStore.toString(), "BROADCAST_QUEUE_REDIS_TRUST_STORE_PASSWORD", PASSWORD))) {
      assertDeliversOnceInOrder(broadcaster, delivery.uri());
    }
  }

  @Test
  void withoutATrustSettingTheServerIsRefusedAtOnceNamingTheHostAndTheSettings() {
    // a timeout far above what "at once" allows below, so that a cold start on a busy machine stays inside it
    DriverSettings untrusted = DriverSettings.of(settings("untrusted", "BROADCAST_QUEUE_REDIS_TIMEOUT", "30s"));
    long start = System.nanoTime();
    assertThatThrownBy(() -> new RedisQueueProvider().create(untrusted)).isInstanceOf(BroadcastException.class)
        .hasMessageStartingWith("Cannot connect the durable queue to Redis at rediss://localhost:" + redis.tlsPort()
            + ": Unable to connect to localhost")
        .hasMessageContaining("Redis's certificate was refused (PKIX path building failed: ")
        .hasMessageEndingWith("give the queue the certificate authority that signed it (BROADCAST_QUEUE_REDIS_CA_FILE "
            + "for a PEM file, BROADCAST_QUEUE_REDIS_TRUST_STORE for a PKCS12 or JKS store, sslOptions(...) in code), use "
            + "the host name the certificate names, or lower verifyPeer in the URI");
    long took = System.nanoTime() - start;
    assertThat(Duration.ofNanos(took)).as("not retried until the timeout of 30 s").isLessThan(Duration.ofSeconds(15));
    assertThatThrownBy(() -> Broadcaster.fromMap(settings("untrusted"))).isInstanceOf(BroadcastException.class)
        .hasMessageStartingWith("Cannot connect the durable queue to Redis at rediss://localhost:" + redis.tlsPort());
  }

  private static String refusal(String... settings) {
    Map<String, String> values = settings("refused");
    for (int i = 0; i < settings.length; i += 2) {
      values.put(settings[i], settings[i + 1]);
    }
    BroadcastException refused = assertThrows(BroadcastException.class,
        () -> new RedisQueueProvider().create(DriverSettings.of(values)).close());
    return refused.getMessage();
  }

  @Test
  void aCaFileThatDoesNotExistIsRefusedNamingTheSettingAndWhatToPutThere() {
    Path missing = dir.resolve("missing.pem");
    assertThat(refusal("BROADCAST_QUEUE_REDIS_CA_FILE", missing.toString())).isEqualTo("The durable queue's "
        + "settings are invalid: BROADCAST_QUEUE_REDIS_CA_FILE is " + missing + ", which is not a readable file (it "
        + "does not exist): set it to the PEM file of the certificate authority that signed Redis's certificate");
  }

  @Test
  void aCaFileThatHoldsNoPemCertificateIsRefusedPointingAtTheTrustStoreSetting() {
    assertThat(refusal("BROADCAST_QUEUE_REDIS_CA_FILE", trustStore.toString())).isEqualTo("The durable queue's "
        + "settings are invalid: BROADCAST_QUEUE_REDIS_CA_FILE is " + trustStore + ", which holds no PEM certificate "
        + "(-----BEGIN CERTIFICATE-----): for a PKCS12 or JKS trust store use BROADCAST_QUEUE_REDIS_TRUST_STORE and "
        + "BROADCAST_QUEUE_REDIS_TRUST_STORE_PASSWORD");
  }

  @Test
  void aWrongTrustStorePasswordIsRefusedNamingTheSettingAndNeverShowingThePassword() {
    String message = refusal("BROADCAST_QUEUE_REDIS_TRUST_STORE", trustStore.toString(),
        "BROADCAST_QUEUE_REDIS_TRUST_STORE_PASSWORD", "wrong-secret-17");
    assertThat(message).isEqualTo("The durable queue's settings are invalid: BROADCAST_QUEUE_REDIS_TRUST_STORE_PASSWORD "
        + "does not open the trust store " + trustStore + " (the password is wrong): set it to the password the store "
        + "was made with");
    assertThat(message).doesNotContain("wrong-secret-17").doesNotContain(PASSWORD);
  }

  @Test
  void aTrustStoreWithoutItsPasswordOrThatIsAPemFileIsRefusedSayingWhatToSet() {
    assertThat(refusal("BROADCAST_QUEUE_REDIS_TRUST_STORE", trustStore.toString())).isEqualTo("The durable queue's "
        + "settings are invalid: BROADCAST_QUEUE_REDIS_TRUST_STORE is " + trustStore + ", which holds no trusted "
        + "certificate that opens without a password: set BROADCAST_QUEUE_REDIS_TRUST_STORE_PASSWORD");
    assertThat(refusal("BROADCAST_QUEUE_REDIS_TRUST_STORE", redis.certificate().toString(),
        "BROADCAST_QUEUE_REDIS_TRUST_STORE_PASSWORD", PASSWORD)).isEqualTo("The durable queue's settings are invalid: "
        + "BROADCAST_QUEUE_REDIS_TRUST_STORE is " + redis.certificate() + ", which is not a PKCS12 or JKS trust store: "
        + "for a PEM certificate use BROADCAST_QUEUE_REDIS_CA_FILE instead");
  }

  @Test
  void settingsThatContradictEachOtherOrAPlainUrlAreRefused() {
    assertThat(refusal("BROADCAST_QUEUE_REDIS_CA_FILE", redis.certificate().toString(),
        "BROADCAST_QUEUE_REDIS_TRUST_STORE", trustStore.toString())).endsWith("both BROADCAST_QUEUE_REDIS_CA_FILE and "
        + "BROADCAST_QUEUE_REDIS_TRUST_STORE are set: set one, the PEM file or the PKCS12/JKS trust store");
    assertThat(refusal("BROADCAST_QUEUE_REDIS_TRUST_STORE_PASSWORD", PASSWORD)).endsWith(
        "BROADCAST_QUEUE_REDIS_TRUST_STORE_PASSWORD is set but BROADCAST_QUEUE_REDIS_TRUST_STORE is not: set the "
        + "trust store's path too");
    assertThat(refusal("BROADCAST_QUEUE_REDIS_URL", redis.node().uri(), "BROADCAST_QUEUE_REDIS_CA_FILE",
        redis.certificate().toString())).endsWith("BROADCAST_QUEUE_REDIS_CA_FILE or BROADCAST_QUEUE_REDIS_TRUST_STORE "
        + "is set, but the queue's Redis URL is not a TLS one: use rediss:// in BROADCAST_QUEUE_REDIS_URL (or "
        + "REDIS_URL), or unset them");
  }

  @Test
  void theQueueBuiltFromATrustStoreShowsNeitherItsPasswordNorItsPath() throws Exception {
    try (BroadcastQueue queue = BroadcastQueue.Provider.named("redis").create(DriverSettings.of(settings("shown",
        "BROADCAST_QUEUE_REDIS_TRUST_STORE", trustStore.toString(), "BROADCAST_QUEUE_REDIS_TRUST_STORE_PASSWORD",
        PASSWORD, "BROADCAST_QUEUE_WORKERS", "false")))) {
      assertThat(queue).hasToString("RedisStreamQueue{rediss://localhost:" + redis.tlsPort()
          + ", prefix=shown, partitions=2, workers=false}");
    }
  }
}
