package dev.broadcasting.resp.internal;

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
import java.util.function.Function;
import javax.net.ssl.TrustManagerFactory;

/**
 * The TLS trust of a Redis client from its settings, one rule for the redis driver and the durable
 * queue: the certificates a {@code rediss://} server's certificate must chain to, as a PEM file
 * ({@code <PREFIX>_CA_FILE}, what redis-cli calls {@code --cacert} and PHP's streams
 * {@code cafile}) or a PKCS12 or JKS trust store ({@code <PREFIX>_TRUST_STORE} and
 * {@code _PASSWORD}). Either is read when the client is built, so a wrong path or password fails
 * there, naming the setting (never the password), not at the first write.
 *
 * <pre>{@code
 * TrustSettings trust = new TrustSettings("BROADCAST_REDIS", "the redis driver", "REDIS_URL");
 * SslOptions ssl = trust.read(Map.of("BROADCAST_REDIS_CA_FILE", "/etc/redis/ca.pem")::get);
 * }</pre>
 */
public final class TrustSettings {
  private final String caFile;
  private final String trustStore;
  private final String trustStorePassword;
  private final String client;
  private final String urlSettings;

  /**
   * The settings {@code prefix + "_CA_FILE"}, {@code "_TRUST_STORE"} and
   * {@code "_TRUST_STORE_PASSWORD"} of {@code client} ("the queue"), whose server is given by
   * {@code urlSettings} ("BROADCAST_QUEUE_REDIS_URL (or REDIS_URL)"); both only for messages.
   */
  public TrustSettings(String prefix, String client, String urlSettings) {
    this.caFile = prefix + "_CA_FILE";
    this.trustStore = prefix + "_TRUST_STORE";
    this.trustStorePassword = prefix + "_TRUST_STORE_PASSWORD";
    this.client = client;
    this.urlSettings = urlSettings;
  }

  public String caFile() {
    return caFile;
  }

  public String trustStore() {
    return trustStore;
  }

  public String trustStorePassword() {
    return trustStorePassword;
  }

  /** Whether any trust setting is given, so that the URI must be a TLS one. */
  public boolean given(Function<String, String> settings) {
    return settings.apply(caFile) != null || settings.apply(trustStore) != null
        || settings.apply(trustStorePassword) != null;
  }

  /**
   * The options that trust exactly the configured certificates; the JVM's trust store when none is
   * configured. Throws IllegalArgumentException naming the setting that cannot be used, and never
   * its password; also when a trust setting is given but {@code tls} (the URL is
   * {@code rediss://}) is false.
   */
  public SslOptions read(Function<String, String> settings, boolean tls) {
    String ca = settings.apply(caFile);
    String store = settings.apply(trustStore);
    String password = settings.apply(trustStorePassword);
    if (ca != null && store != null) {
      throw new IllegalArgumentException("both " + caFile + " and " + trustStore + " are set: set one, the PEM file "
          + "or the PKCS12/JKS trust store");
    }
    if (password != null && store == null) {
      throw new IllegalArgumentException(trustStorePassword + " is set but " + trustStore + " is not: set the "
          + "trust store's path too");
    }
    if (ca == null && store == null) {
      return SslOptions.create();
    }
    KeyStore trusted = ca != null ? pem(ca) : store(store, password);
    if (!tls) {
      throw new IllegalArgumentException(caFile + " or " + trustStore + " is set, but " + client + "'s Redis URL is "
          + "not a TLS one: use rediss:// in " + urlSettings + ", or unset them");
    }
    try {
      TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(trusted);
      return SslOptions.builder().trustManager(factory).build();
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("the certificates of " + (ca != null ? caFile : trustStore)
          + " cannot be used to check Redis's certificate: " + e.getMessage(), e);
    }
  }

  /** The sentence that ends the message of a certificate refused: which settings give the client the CA. */
  public String refusedAdvice() {
    return "Give " + remedy();
  }

  /** What to do when the client cannot connect: for a certificate refused, which settings give it the CA. */
  public String advice(Throwable connectFailure) {
    CertificateException refused = refusedCertificate(connectFailure);
    return refused != null ? "Redis's certificate was refused (" + refused.getMessage() + "): give " + remedy()
        : "Check " + urlSettings + " and that the server is up";
  }

  /** The refusal of Redis's certificate that caused {@code connectFailure}, or null when it was something else. */
  public static CertificateException refusedCertificate(Throwable connectFailure) {
    for (Throwable cause = connectFailure; cause != null; cause = cause.getCause()) {
      if (cause instanceof CertificateException refused) {
        return refused;
      }
    }
    return null;
  }

  private String remedy() {
    return client + " the certificate authority that signed it (" + caFile + " for a PEM file, " + trustStore
        + " for a PKCS12 or JKS store, sslOptions(...) in code), use the host name the certificate names, or lower "
        + "verifyPeer in the URI";
  }

  private KeyStore pem(String path) {
    Path file = readable(caFile, path, "the PEM file of the certificate authority that signed Redis's certificate");
    Collection<? extends Certificate> certificates;
    try (InputStream in = Files.newInputStream(file)) {
      certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
    } catch (IOException | CertificateException e) {
      certificates = Collections.emptyList();
    }
    if (certificates.isEmpty()) {
      throw new IllegalArgumentException(caFile + " is " + path + ", which holds no PEM certificate ("
          + "-----BEGIN CERTIFICATE-----): for a PKCS12 or JKS trust store use " + trustStore + " and "
          + trustStorePassword);
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
      throw new IllegalStateException("cannot hold the certificates of " + caFile + ": " + e.getMessage(), e);
    }
  }

  private KeyStore store(String path, String password) {
    Path file = readable(trustStore, path, "a PKCS12 or JKS trust store holding the certificate authority of "
        + "Redis's certificate");
    KeyStore store;
    try {
      store = KeyStore.getInstance(file.toFile(), password == null ? null : password.toCharArray());
    } catch (IOException e) {
      if (e.getCause() instanceof UnrecoverableKeyException) {
        throw new IllegalArgumentException(trustStorePassword + " does not open the trust store " + path
            + (password == null ? " (it is not set)" : " (the password is wrong)") + ": set it to the password the "
            + "store was made with", e);
      }
      throw new IllegalArgumentException(trustStore + " is " + path + ", which cannot be read as a trust store: "
          + e.getMessage(), e);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(trustStore + " is " + path + ", which is not a PKCS12 or JKS trust "
          + "store: for a PEM certificate use " + caFile + " instead", e);
    }
    if (!holdsCertificates(store)) {
      throw new IllegalArgumentException(trustStore + " is " + path + ", which holds no trusted certificate"
          + (password == null ? " that opens without a password: set " + trustStorePassword : ": import the "
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
