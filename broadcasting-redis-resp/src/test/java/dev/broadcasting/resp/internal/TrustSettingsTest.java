package dev.broadcasting.resp.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.broadcasting.resp.TlsRedisFiles;
import io.lettuce.core.SslOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.util.HashMap;
import java.util.Map;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The trust rule both Redis clients use, with the names of a client {@code X}: each setting that
 * cannot be used refused, naming it and what to put there, never its password. Its use end to end
 * (a real TLS redis-server trusted or refused) is in the redis driver's {@code RedisTrustSettingsTest}
 * and the queue's {@code QueueTrustSettingsTest}.
 */
class TrustSettingsTest {
  private static final String PASSWORD = "store-secret-42";
  private static final TrustSettings TRUST = new TrustSettings("X_REDIS", "the client", "X_URL");
  private static TlsRedisFiles tls;
  private static Path trustStore;

  @BeforeAll
  static void files() throws Exception {
    tls = TlsRedisFiles.make();
    trustStore = tls.trustStore(PASSWORD);
  }

  private static Map<String, String> settings(String... pairs) {
    Map<String, String> settings = new HashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      settings.put(pairs[i], pairs[i + 1]);
    }
    return settings;
  }

  private static String refusal(String... pairs) {
    Map<String, String> settings = settings(pairs);
    return assertThrows(IllegalArgumentException.class,
        () -> TRUST.read(settings::get, true)).getMessage();
  }

  @Test
  void namesItsSettingsFromThePrefixAndReadsNoneAsTheJvmsTrustStore() {
    assertThat(TRUST.caFile()).isEqualTo("X_REDIS_CA_FILE");
    assertThat(TRUST.trustStore()).isEqualTo("X_REDIS_TRUST_STORE");
    assertThat(TRUST.trustStorePassword()).isEqualTo("X_REDIS_TRUST_STORE_PASSWORD");
    assertThat(TRUST.given(settings()::get)).isFalse();
    assertThat(TRUST.given(settings("X_REDIS_TRUST_STORE_PASSWORD", "p")::get)).isTrue();
    assertThat(TRUST.read(settings()::get, false)).isNotNull();
  }

  @Test
  void aPemFileOrAStoreWithItsPasswordIsRead() {
    assertThat(TRUST.read(settings("X_REDIS_CA_FILE", tls.certificate().toString())::get, true))
        .isInstanceOf(SslOptions.class);
    assertThat(TRUST.read(settings("X_REDIS_TRUST_STORE", trustStore.toString(), "X_REDIS_TRUST_STORE_PASSWORD",
        PASSWORD)::get, true)).isInstanceOf(SslOptions.class);
  }

  @Test
  void aCaFileThatDoesNotExistOrHoldsNoPemCertificateIsRefusedSayingWhatToPutThere() {
    Path missing = tls.dir().resolve("missing.pem");
    assertThat(refusal("X_REDIS_CA_FILE", missing.toString())).isEqualTo("X_REDIS_CA_FILE is " + missing
        + ", which is not a readable file (it does not exist): set it to the PEM file of the certificate authority "
        + "that signed Redis's certificate");
    assertThat(refusal("X_REDIS_CA_FILE", trustStore.toString())).isEqualTo("X_REDIS_CA_FILE is " + trustStore
        + ", which holds no PEM certificate (-----BEGIN CERTIFICATE-----): for a PKCS12 or JKS trust store use "
        + "X_REDIS_TRUST_STORE and X_REDIS_TRUST_STORE_PASSWORD");
  }

  @Test
  void aStoreWithAWrongOrNoPasswordOrThatIsAPemFileIsRefusedNeverShowingThePassword() {
    String wrong = refusal("X_REDIS_TRUST_STORE", trustStore.toString(), "X_REDIS_TRUST_STORE_PASSWORD",
        "wrong-secret-17");
    assertThat(wrong).isEqualTo("X_REDIS_TRUST_STORE_PASSWORD does not open the trust store " + trustStore
        + " (the password is wrong): set it to the password the store was made with");
    assertThat(wrong).doesNotContain("wrong-secret-17").doesNotContain(PASSWORD);
    assertThat(refusal("X_REDIS_TRUST_STORE", trustStore.toString())).isEqualTo("X_REDIS_TRUST_STORE is "
        + trustStore + ", which holds no trusted certificate that opens without a password: set "
        + "X_REDIS_TRUST_STORE_PASSWORD");
    assertThat(refusal("X_REDIS_TRUST_STORE", tls.certificate().toString(), "X_REDIS_TRUST_STORE_PASSWORD", PASSWORD))
        .isEqualTo("X_REDIS_TRUST_STORE is " + tls.certificate() + ", which is not a PKCS12 or JKS trust store: for a "
            + "PEM certificate use X_REDIS_CA_FILE instead");
  }

  @Test
  void settingsThatContradictEachOtherOrAPlainUrlAreRefused() {
    assertThat(refusal("X_REDIS_CA_FILE", tls.certificate().toString(), "X_REDIS_TRUST_STORE", trustStore.toString()))
        .isEqualTo("both X_REDIS_CA_FILE and X_REDIS_TRUST_STORE are set: set one, the PEM file or the PKCS12/JKS "
            + "trust store");
    assertThat(refusal("X_REDIS_TRUST_STORE_PASSWORD", PASSWORD)).isEqualTo("X_REDIS_TRUST_STORE_PASSWORD is set but "
        + "X_REDIS_TRUST_STORE is not: set the trust store's path too");
    Map<String, String> plain = settings("X_REDIS_CA_FILE", tls.certificate().toString());
    assertThatThrownBy(() -> TRUST.read(plain::get, false)).hasMessage("X_REDIS_CA_FILE or X_REDIS_TRUST_STORE is "
        + "set, but the client's Redis URL is not a TLS one: use rediss:// in X_URL, or unset them");
  }

  @Test
  void theAdviceNamesTheSettingsForACertificateRefusedAndTheUrlOtherwise() {
    SSLHandshakeException refused = new SSLHandshakeException("handshake");
    refused.initCause(new CertificateException("PKIX path building failed"));
    assertThat(TrustSettings.refusedCertificate(refused)).hasMessage("PKIX path building failed");
    assertThat(TRUST.advice(refused)).isEqualTo("Redis's certificate was refused (PKIX path building failed): give "
        + "the client the certificate authority that signed it (X_REDIS_CA_FILE for a PEM file, X_REDIS_TRUST_STORE "
        + "for a PKCS12 or JKS store, sslOptions(...) in code), use the host name the certificate names, or lower "
        + "verifyPeer in the URI");
    assertThat(TRUST.refusedAdvice()).startsWith("Give the client the certificate authority that signed it (");
    assertThat(TRUST.advice(new IOException("Connection refused"))).isEqualTo("Check X_URL and that the server "
        + "is up");
  }
}
