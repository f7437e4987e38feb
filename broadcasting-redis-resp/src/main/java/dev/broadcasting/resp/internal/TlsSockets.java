package dev.broadcasting.resp.internal;

import io.lettuce.core.SslOptions;
import io.lettuce.core.SslVerifyMode;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.IOException;
import java.net.Socket;
import java.security.GeneralSecurityException;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * TLS for a {@link RespLink}'s socket, made as lettuce makes it for its own connections: the
 * same {@link SslOptions} (trust store, key store, protocols, cipher suites), and for each
 * {@code verifyPeer} what lettuce's {@code SslConnectionBuilder} does: NONE trusts any certificate,
 * CA checks the chain only, FULL the chain and the host name. So a URI that lettuce connects with,
 * a link connects with too, and one it refuses, a link refuses.
 *
 * <pre>{@code
 * TlsSockets tls = TlsSockets.of(SslOptions.create(), SslVerifyMode.FULL, "Give the CA in SslOptions");
 * Socket secured = tls.handshake(plain, "redis.example.com", 6380);
 * }</pre>
 */
final class TlsSockets {
  private final SSLContext context;
  private final SslOptions options;
  private final SslVerifyMode verify;
  private final String refusedAdvice;

  private TlsSockets(SSLContext context, SslOptions options, SslVerifyMode verify, String refusedAdvice) {
    this.context = context;
    this.options = options;
    this.verify = verify;
    this.refusedAdvice = refusedAdvice;
  }

  /**
   * Throws IllegalArgumentException when the options name trust material that cannot be read;
   * {@code refusedAdvice} ends the message of a certificate refused: what to set.
   */
  static TlsSockets of(SslOptions options, SslVerifyMode verify, String refusedAdvice) {
    try {
      SslContextBuilder builder = options.createSslContextBuilder();
      if (verify == SslVerifyMode.NONE) {
        builder.trustManager(InsecureTrustManagerFactory.INSTANCE);
      }
      SslContext built = builder.build();
      if (!(built instanceof JdkSslContext jdk)) {
        throw new IllegalArgumentException("a RESP connection needs SslProvider.JDK in its SslOptions, not "
            + options.getSslProvider());
      }
      return new TlsSockets(jdk.context(), options, verify, refusedAdvice);
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException("cannot read the TLS trust or key material of the SslOptions: "
          + e.getMessage(), e);
    }
  }

  /**
   * Runs the TLS handshake over {@code plain}, connected to {@code host}; a certificate refused is
   * {@link RespRefused}, as trying again would not help.
   */
  Socket handshake(Socket plain, String host, int port) throws IOException {
    SSLSocket secured = (SSLSocket) context.getSocketFactory().createSocket(plain, host, port, true);
    SSLParameters parameters = options.createSSLParameters();
    parameters.setEndpointIdentificationAlgorithm(verify == SslVerifyMode.FULL ? "HTTPS" : null);
    secured.setSSLParameters(parameters);
    try {
      secured.startHandshake();
    } catch (SSLHandshakeException e) {
      if (TrustSettings.refusedCertificate(e) != null) {
        throw new RespRefused("Redis's certificate at " + host + ":" + port + " was refused (verifyPeer="
            + verify + "): " + e.getMessage() + ". " + refusedAdvice, null, e);
      }
      throw e;
    }
    return secured;
  }
}
