package dev.broadcasting.queue.redis.internal;

import dev.broadcasting.spi.DriverSettings;
import io.lettuce.core.SslOptions;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.KeyStoreException;
import java.security.UnrecoverableKeyException;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import java.util.Collections;
import javax.net.ssl.TrustManagerFactory;

/**
 * The queue's TLS trust from its settings: the certificates a {@code rediss://} server's
 * certificate must chain to, as a PEM file ({@code BROADCAST_QUEUE_REDIS_CA_FILE}, what redis-cli
 * calls {@code --cacert} and PHP's streams {@code cafile}) or a PKCS12 or JKS trust store
 * ({@code BROADCAST_QUEUE_REDIS_TRUST_STORE} and {@code _PASSWORD}). Either is read when the queue
 * is built, so a wrong path or password fails there, naming the setting, not at the first write.
 *
 * <pre>{@code
 * SslOptions trust = TrustSettings.read(DriverSettings.of(Map.of(TrustSettings.CA_FILE, "/etc/redis/ca.pem")));
 * }</pre>
 */
public final class TrustSettings {
  public static final String CA_FILE = "BROADCAST_QUEUE_REDIS_CA_FILE";
  public static final String TRUST_STORE = "BROADCAST_QUEUE_REDIS_TRUST_STORE";
  public static final String TRUST_STORE_PASSWORD = "BROADCAST_QUEUE_REDIS_TRUST_STORE_PASSWORD";

  private TrustSettings() {}

  /** Whether any trust setting is given, so that the URI must be a TLS one. */
  public static boolean given(DriverSettings settings) {
    return settings.get(CA_FILE) != null || settings.get(TRUST_STORE) != null
        || settings.get(TRUST_STORE_PASSWORD) != null;
  }

  /**
   * The options that trust exactly the configured certificates; the JVM's trust store when none is
   * configured. Throws IllegalArgumentException naming the setting that cannot be used, and never
   * its password.
   */
  public static SslOptions read(DriverSettings settings) {
    String caFile = settings.get(CA_FILE);
    String trustStore = settings.get(TRUST_STORE);
    String password = settings.get(TRUST_STORE_PASSWORD);
    if (caFile != null && trustStore != null) {
      throw new IllegalArgumentException("both " + CA_FILE + " and " + TRUST_STORE + " are set: set one, the PEM file "
          + "or the PKCS12/JKS trust store");
    }
    if (password != null && trustStore == null) {
      throw new IllegalArgumentException(TRUST_STORE_PASSWORD + " is set but " + TRUST_STORE + " is not: set the "
          + "trust store's path too");
    }
    if (caFile == null && trustStore == null) {
      return SslOptions.create();
    }
    KeyStore trusted = caFile != null ? pem(caFile) : store(trustStore, password);
    try {
      TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(trusted);
      return SslOptions.builder().trustManager(factory).build();
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("the certificates of " + (caFile != null ? CA_FILE : TRUST_STORE)
          + " cannot be used to check Redis's certificate: " + e.getMessage(), e);
    }
  }

  /** What to do when the queue cannot connect: for a certificate refused, which settings give it the CA. */
  public static String advice(Throwable connectFailure) {
    for (Throwable cause = connectFailure; cause != null; cause = cause.getCause()) {
      if (cause instanceof CertificateException) {
        return "Redis's certificate was refused (" + cause.getMessage() + "): give the queue the certificate authority "
            + "that signed it (" + CA_FILE + " for a PEM file, " + TRUST_STORE + " for a PKCS12 or JKS store, "
            + "sslOptions(...) in code), use the host name the certificate names, or lower verifyPeer in the URI";
      }
    }
    return "Check BROADCAST_QUEUE_REDIS_URL (or REDIS_URL) and that the server is up";
  }

  private static KeyStore pem(String caFile) {
    Path file = readable(CA_FILE, caFile, "the PEM file of the certificate authority that signed Redis's certificate");
    Collection<? extends Certificate> certificates;
    try (InputStream in = Files.newInputStream(file)) {
      certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
    } catch (IOException | CertificateException e) {
      certificates = Collections.emptyList();
    }
    if (certificates.isEmpty()) {
      throw new IllegalArgumentException(CA_FILE + " is " + caFile + ", which holds no PEM certificate ("
          + "-----BEGIN CERTIFICATE-----): for a PKCS12 or JKS trust store use " + TRUST_STORE + " and "
          + TRUST_STORE_PASSWORD);
    }
    try {
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      int n = 0;
      for (Certificate certificate : certificates) {
        store.setCertificateEntry("ca-" + n++, certificate);
      }
      return store;
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot hold the certificates of " + CA_FILE + ": " + e.getMessage(), e);
    }
  }

  private static KeyStore store(String trustStore, String password) {
    Path file = readable(TRUST_STORE, trustStore, "a PKCS12 or JKS trust store holding the certificate authority of "
        + "Redis's certificate");
    KeyStore store;
    try {
      store = KeyStore.getInstance(file.toFile(), password == null ? null : password.toCharArray());
    } catch (IOException e) {
      if (e.getCause() instanceof UnrecoverableKeyException) {
        throw new IllegalArgumentException(TRUST_STORE_PASSWORD + " does not open the trust store " + trustStore
            + (password == null ? " (it is not set)" : " (the password is wrong)") + ": set it to the password the "
            + "store was made with", e);
      }
      throw new IllegalArgumentException(TRUST_STORE + " is " + trustStore + ", which cannot be read as a trust store: "
          + e.getMessage(), e);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(TRUST_STORE + " is " + trustStore + ", which is not a PKCS12 or JKS trust "
          + "store: for a PEM certificate use " + CA_FILE + " instead", e);
    }
    if (!holdsCertificates(store)) {
      throw new IllegalArgumentException(TRUST_STORE + " is " + trustStore + ", which holds no trusted certificate"
          + (password == null ? " that opens without a password: set " + TRUST_STORE_PASSWORD : ": import the "
          + "certificate authority of Redis's certificate into it (keytool -importcert)"));
    }
    return store;
  }

  private static boolean holdsCertificates(KeyStore store) {
    try {
      for (String alias : Collections.list(store.aliases())) {
        if (store.isCertificateEntry(alias)) {
          return true;
        }
      }
      return false;
    } catch (KeyStoreException e) {
      return false;
    }
  }

  private static Path readable(String setting, String value, String what) {
    Path file = Path.of(value);
    if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
      throw new IllegalArgumentException(setting + " is " + value + ", which is not a readable file"
          + (Files.exists(file) ? "" : " (it does not exist)") + ": set it to " + what);
    }
    return file;
  }
}
