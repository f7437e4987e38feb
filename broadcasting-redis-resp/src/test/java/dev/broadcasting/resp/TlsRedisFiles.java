package dev.broadcasting.resp;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SslOptions;
import io.lettuce.core.SslVerifyMode;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BiPredicate;

/**
 * What a test needs for a redis-server with TLS, shared by the redis driver's and the durable
 * queue's tests: a self-signed certificate for {@code localhost} only (made by openssl), the
 * {@code redis-server} arguments that serve it on a free TLS port and on a Unix socket, trust in
 * that certificate and nothing else, and the {@code verifyPeer} matrix checked against lettuce.
 * The test starts the server with its own starter.
 *
 * <pre>{@code
 * TlsRedisFiles tls = TlsRedisFiles.make();
 * RedisServer redis = RedisServer.start(tls.serverArgs());
 * tls.assertVerifiesAsLettuce("the publish socket", (uri, ssl) -> publishes(uri, ssl));
 * }</pre>
 *
 * @param certificate the server's certificate, PEM: the only thing that trusts it
 */
public record TlsRedisFiles(Path dir, int tlsPort, Path certificate, Path key, Path socket) {

  /** A new certificate and key in a temporary directory, and a free loopback port for TLS. */
  public static TlsRedisFiles make() throws IOException, InterruptedException {
    Path dir = Files.createTempDirectory("redis-tls-");
    Path certificate = dir.resolve("redis.crt");
    Path key = dir.resolve("redis.key");
    run(dir.resolve("openssl.log"), "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
        "/CN=localhost", "-addext", "subjectAltName=DNS:localhost", "-keyout", key.toString(), "-out",
        certificate.toString());
    int tlsPort;
    try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      tlsPort = free.getLocalPort();
    }
    return new TlsRedisFiles(dir, tlsPort, certificate, key, dir.resolve("redis.sock"));
  }

  /** The redis-server arguments: TLS on {@link #tlsPort} with the certificate, no client certificates, the socket. */
  public String[] serverArgs() {
    return new String[] {"--tls-port", Integer.toString(tlsPort), "--tls-cert-file", certificate.toString(),
        "--tls-key-file", key.toString(), "--tls-ca-cert-file", certificate.toString(), "--tls-auth-clients", "no",
        "--unixsocket", socket.toString(), "--unixsocketperm", "700"};
  }

  /** Trusts the server's self-signed certificate, and nothing else. */
  public SslOptions trusting() {
    return SslOptions.builder().trustManager(certificate.toFile()).build();
  }

  /** A PKCS12 trust store holding the server's certificate, made by keytool, opened by {@code password}. */
  public Path trustStore(String password) throws IOException, InterruptedException {
    Path store = dir.resolve("trust-" + Integer.toHexString(password.hashCode()) + ".p12");
    if (!Files.exists(store)) {
      run(dir.resolve("keytool.log"), Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
          "-importcert", "-noprompt", "-alias", "redis", "-file", certificate.toString(), "-keystore", store.toString(),
          "-storetype", "PKCS12", "-storepass", password);
    }
    return store;
  }

  /**
   * For every {@code verifyPeer} × host ({@code localhost}, {@code 127.0.0.1}) × trusted or not,
   * asserts that lettuce connects exactly where its documentation says (NONE: always; CA: when
   * trusted; FULL: when trusted and the host is the certificate's), and that {@code connects},
   * given the URI and the {@link SslOptions}, answers as lettuce does.
   */
  public void assertVerifiesAsLettuce(String what, BiPredicate<String, SslOptions> connects) {
    Map<String, Boolean> expected = new TreeMap<>();
    Map<String, Boolean> byLettuce = new TreeMap<>();
    Map<String, Boolean> byIt = new TreeMap<>();
    ClientResources resources = DefaultClientResources.create();
    try {
      for (SslVerifyMode mode : SslVerifyMode.values()) {
        for (String host : List.of("localhost", "127.0.0.1")) {
          for (boolean trusted : List.of(true, false)) {
            String uri = "rediss://" + host + ":" + tlsPort + "?verifyPeer=" + mode;
            SslOptions ssl = trusted ? trusting() : SslOptions.create();
            String name = mode + " " + host + (trusted ? " trusted" : " untrusted");
            expected.put(name, mode == SslVerifyMode.NONE
                || trusted && (mode == SslVerifyMode.CA || host.equals("localhost")));
            byLettuce.put(name, lettuceConnects(resources, uri, ssl));
            byIt.put(name, connects.test(uri, ssl));
          }
        }
      }
    } finally {
      resources.shutdown(0, 2, TimeUnit.SECONDS);
    }
    assertThat(byLettuce).as("lettuce, as documented").isEqualTo(expected);
    assertThat(byIt).as(what).isEqualTo(byLettuce);
  }

  private static boolean lettuceConnects(ClientResources resources, String uri, SslOptions ssl) {
    RedisClient client = RedisClient.create(resources, RedisURI.create(uri));
    client.setOptions(ClientOptions.builder().sslOptions(ssl).build());
    try (var connection = client.connect()) {
      return "PONG".equals(connection.sync().ping());
    } catch (RedisConnectionException refused) {
      return false;
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }

  private static void run(Path log, String... command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    assertThat(process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0)
        .as("%s succeeded: %s", command[0], log).isTrue();
  }
}
