package dev.broadcasting.resp.internal;

import io.lettuce.core.RedisCredentials;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SslOptions;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Where and how to connect to Redis, as a lettuce {@link RedisURI} says: the server itself, or the
 * master the first Sentinel that answers names; over TCP, TLS (as lettuce does it, with the same
 * {@link SslOptions} and verify mode) or a Unix socket; then {@code AUTH} with the URI's password
 * (or user and password) and {@code SELECT} its database. Each {@link #open} is a new connection.
 *
 * <pre>{@code
 * RespEndpoint endpoint = new RespEndpoint(RedisURI.create("rediss://:secret@redis.example.com:6380/2"),
 *     SslOptions.create(), Duration.ofSeconds(5));
 * try (RespLink link = endpoint.open()) {
 *   Object answer = link.call("PUBLISH", "room", "{}");
 * }
 * }</pre>
 */
public final class RespEndpoint {
  private final RedisURI uri;
  private final SslOptions ssl;
  private final int timeoutMillis;
  /** Null for a connection in clear. */
  private final TlsSockets tls;
  private final String refusedAdvice;

  /**
   * An endpoint for {@code uri}; over TLS ({@code rediss://}) with the trust material of {@code ssl}
   * (null for the defaults), checked as lettuce checks it for the URI's {@code verifyPeer}: NONE
   * trusts any certificate, CA checks the chain but not the host name, FULL both. Trust material
   * that cannot be read is an {@link IllegalArgumentException} now, not at the first connect.
   */
  public RespEndpoint(RedisURI uri, SslOptions ssl, Duration timeout) {
    this(uri, ssl, timeout, "Give the CA in SslOptions, use the host name the certificate names, or lower verifyPeer "
        + "in the URI");
  }

  /** As above; a certificate refused ends with {@code refusedAdvice}: what to set to trust it. */
  public RespEndpoint(RedisURI uri, SslOptions ssl, Duration timeout, String refusedAdvice) {
    this.uri = uri;
    this.ssl = ssl == null ? SslOptions.create() : ssl;
    this.timeoutMillis = (int) Math.min(Integer.MAX_VALUE, Math.max(1, timeout.toMillis()));
    this.tls = uri.isSsl() ? TlsSockets.of(this.ssl, uri.getVerifyMode(), refusedAdvice) : null;
    this.refusedAdvice = refusedAdvice;
  }

  /**
   * A new connection, authenticated and on the URI's database; connecting, the TLS handshake and
   * each answer wait at most the timeout. {@link RespRefused} when Redis refuses the password, the
   * database or its certificate is refused; any other {@link IOException} may pass on a retry.
   */
  public RespLink open() throws IOException {
    RespLink link = uri.getSocket() != null
        ? new RespLink(UnixSocketStreams.connect(Path.of(uri.getSocket()), timeoutMillis))
        : new RespLink(tcp(address()));
    try {
      RedisCredentials credentials = uri.getCredentialsProvider() == null ? null
          : uri.getCredentialsProvider().resolveCredentials().block(Duration.ofMillis(timeoutMillis));
      if (credentials != null && credentials.hasPassword()) {
        String password = new String(credentials.getPassword());
        expectOk(credentials.hasUsername() ? link.call("AUTH", credentials.getUsername(), password)
            : link.call("AUTH", password), "AUTH");
      }
      if (uri.getDatabase() != 0) {
        expectOk(link.call("SELECT", Integer.toString(uri.getDatabase())), "SELECT " + uri.getDatabase());
      }
      return link;
    } catch (IOException | RuntimeException e) {
      link.close();
      throw e;
    }
  }

  /** The timeout each connect, handshake and answer waits at most, in milliseconds. */
  public int timeoutMillis() {
    return timeoutMillis;
  }

  /** A TCP connection to {@code address}, through TLS when the URI says so. */
  private Socket tcp(InetSocketAddress address) throws IOException {
    Socket plain = new Socket();
    try {
      plain.connect(address, timeoutMillis);
      plain.setTcpNoDelay(true);
      plain.setSoTimeout(timeoutMillis);
      return tls == null ? plain : tls.handshake(plain, address.getHostString(), address.getPort());
    } catch (IOException | RuntimeException e) {
      plain.close();
      throw e;
    }
  }

  /** The server itself, or the master the first Sentinel that answers names. */
  private InetSocketAddress address() throws IOException {
    if (uri.getSentinels().isEmpty()) {
      return new InetSocketAddress(uri.getHost(), uri.getPort());
    }
    IOException last = null;
    for (RedisURI sentinel : uri.getSentinels()) {
      try (RespLink asking = new RespEndpoint(sentinel, ssl, Duration.ofMillis(timeoutMillis), refusedAdvice).open()) {
        if (asking.call("SENTINEL", "get-master-addr-by-name", uri.getSentinelMasterId()) instanceof List<?> master
            && master.size() == 2) {
          return new InetSocketAddress((String) master.get(0), Integer.parseInt((String) master.get(1)));
        }
      } catch (IOException e) {
        last = e;
      }
    }
    throw new IOException("no Sentinel of " + uri.getSentinels().size() + " named the master '"
        + uri.getSentinelMasterId() + "'" + (last == null ? "" : " (" + last.getMessage() + ")"), last);
  }

  private static void expectOk(Object answer, String command) throws RespRefused {
    if (answer instanceof RespError error) {
      throw new RespRefused("Redis refused " + command + ": " + error.message(), error.message(), null);
    }
  }
}
