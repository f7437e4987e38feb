package dev.broadcasting.server.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.broadcasting.Broadcaster;
import dev.broadcasting.Channel;
import dev.broadcasting.pusher.PusherBroadcastDriver;
import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's nginx block, run by a real nginx ({@code NGINX}, default /usr/sbin/nginx) with TLS
 * at the proxy, in front of the packaged jar: a real pusher-js client subscribes through it with
 * {@code forceTLS}, the {@code pusher} driver publishes through it over https, and the event
 * arrives, while more connections than the server's per-address limit are opening from the
 * proxy's address, which the README's server configuration trusts. Fails, never skips, when nginx or node is missing (.ci/setup.d installs them).
 */
@Tag("integration")
class ReverseProxyIT {
  private static final Path README = Path.of("README.md");
  private static final Path NODE_MODULES = Path.of("../broadcasting-server/src/test/js/node_modules").toAbsolutePath();
  private static final Pattern SERVER_BLOCK =
      Pattern.compile("<!-- server:begin[^>]*-->\\s*```json\\n(.*?)```\\s*<!-- server:end -->", Pattern.DOTALL);
  /** Small, so that the test holds more opening connections from the proxy's address than it allows. */
  private static final int OPENING_PER_ADDRESS = 2;
  private static final Pattern NGINX_BLOCK =
      Pattern.compile("<!-- nginx:begin[^>]*-->\\s*```nginx\\n(.*?)```\\s*<!-- nginx:end -->", Pattern.DOTALL);

  @Test
  void pusherJsAndThePusherDriverThroughNginxWithTlsAtTheProxy(@TempDir Path dir) throws Exception {
    Path nginx = Path.of(System.getenv().getOrDefault("NGINX", "/usr/sbin/nginx"));
    assertThat(nginx).as("no nginx at %s; install Debian's nginx (.ci/setup.d/40-standalone-nginx.sh) or set NGINX",
        nginx).isExecutable();
    assertThat(NODE_MODULES.resolve("pusher-js")).as("pusher-js is not installed in %s; run "
        + ".ci/setup.d/20-server-node.sh", NODE_MODULES).isDirectory();

    X509Bundle certificate = new CertificateBuilder().subject("CN=localhost").addSanDnsName("localhost")
        .notBefore(Instant.now().minus(1, ChronoUnit.DAYS)).notAfter(Instant.now().plus(1, ChronoUnit.DAYS))
        .ecp256().setIsCertificateAuthority(true).buildSelfSigned();
    Path cert = Files.writeString(dir.resolve("fullchain.pem"), certificate.getCertificatePathPEM());
    Path key = Files.writeString(dir.resolve("privkey.pem"), certificate.getPrivateKeyPEM());

    int serverPort = StandaloneJarIT.freePort();
    int proxyPort = StandaloneJarIT.freePort();
    Path config = Files.writeString(dir.resolve("server.json"), serverConf(serverPort));
    Files.writeString(dir.resolve("nginx.conf"), nginxConf(dir, serverPort, proxyPort, cert, key));

    try (StandaloneProcess server = StandaloneProcess.jar("--config", config.toString());
         StandaloneProcess proxy = StandaloneProcess.start("nginx", new ProcessBuilder(nginx.toString(),
             "-p", dir.toString(), "-c", dir.resolve("nginx.conf").toString(), "-e", dir.resolve("error.log").toString(),
             "-g", "daemon off; master_process off;"))) {
      server.await(line -> line.contains("listening"), 30);
      // More connections opening from 127.0.0.1, nginx's address, than one address may hold: the
      // proxy's connections below are still served because the proxy is trusted.
      List<Socket> opening = new ArrayList<>();
      for (int i = 0; i <= OPENING_PER_ADDRESS; i++) {
        opening.add(new Socket("127.0.0.1", serverPort));
      }

      SSLContext tls = SSLContext.getInstance("TLS");
      TrustManager[] trust = certificate.toTrustManagerFactory().getTrustManagers();
      tls.init(null, trust, null);
      HttpClient https = HttpClient.newBuilder().sslContext(tls).build();
      String health = healthThroughTheProxy(https, proxyPort, proxy);
      assertThat(health).isEqualTo("{\"status\":\"ok\",\"connections\":0}");

      ProcessBuilder node = new ProcessBuilder("node", Path.of("src/test/js/through-proxy.cjs").toString());
      node.environment().putAll(Map.of("NODE_PATH", NODE_MODULES.toString(), "NODE_EXTRA_CA_CERTS", cert.toString(),
          "HOST", "localhost", "PORT", String.valueOf(proxyPort), "KEY", "proxy-key"));
      try (StandaloneProcess client = StandaloneProcess.start("node", node)) {
        client.await(line -> line.contains("\"type\":\"ready\""), 20);

        OkHttpClient okhttp = new OkHttpClient.Builder()
            .sslSocketFactory(tls.getSocketFactory(), (X509TrustManager) trust[0]).build();
        try (Broadcaster broadcaster = Broadcaster.builder().connection("pusher", PusherBroadcastDriver.builder()
            .appId("1").key("proxy-key").secret("proxy-secret").host("localhost").port(proxyPort).scheme("https")
            .client(okhttp).build()).build()) {
          broadcaster.on(new Channel("news")).as("Posted").with(Map.of("id", 42)).send().join();
        }

        JsonNode event = new ObjectMapper().readTree(client.await(line -> line.contains("\"type\":\"event\""), 20));
        assertThat(event.toString()).isEqualTo("{\"type\":\"event\",\"event\":\"Posted\",\"data\":{\"id\":42}}");
        assertThat(client.exit(10)).isZero();
        okhttp.dispatcher().executorService().shutdown();
        okhttp.connectionPool().evictAll();
      }

      for (Socket socket : opening) {
        assertThat(health(socket)).as("a connection held open from the proxy's address").startsWith("HTTP/1.1 200 OK");
      }

      // Both went through nginx: the WebSocket upgrade (101) and the signed publish (200).
      String access = Files.readString(dir.resolve("access.log"));
      assertThat(access).containsPattern("\"GET /app/proxy-key\\?protocol=7[^\"]* HTTP/1.1\" 101 ")
          .containsPattern("\"POST /apps/1/events\\?[^\"]*auth_signature=[0-9a-f]{64}[^\"]* HTTP/1.1\" 200 ");
    }
  }

  /**
   * The README's server configuration, on a free port, with the test's app, a per-address limit
   * the test can pass, and a first-bytes deadline that outlasts the test.
   */
  private static String serverConf(int serverPort) throws Exception {
    Matcher block = SERVER_BLOCK.matcher(Files.readString(README));
    assertThat(block.find()).as("README.md has the server configuration between its markers").isTrue();
    ObjectNode conf = (ObjectNode) new ObjectMapper().readTree(block.group(1));
    assertThat(conf.path("trusted-proxies").toString()).as("the README's server configuration")
        .isEqualTo("[\"127.0.0.1\"]");
    conf.put("port", serverPort).put("max-opening-connections-per-address", OPENING_PER_ADDRESS)
        .put("first-bytes-timeout", "2m");
    conf.putArray("apps").addObject().put("id", "1").put("key", "proxy-key").put("secret", "proxy-secret");
    return conf.toString();
  }

  /** Sends {@code GET /health} on a connection that has sent nothing so far; what the server answers. */
  private static String health(Socket socket) throws Exception {
    try (socket) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write("GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
          .getBytes(StandardCharsets.US_ASCII));
      return new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
    }
  }

  /** The README's block, with free ports and the test's certificate, in a configuration nginx runs unprivileged. */
  private static String nginxConf(Path dir, int serverPort, int proxyPort, Path cert, Path key) throws Exception {
    Matcher block = NGINX_BLOCK.matcher(Files.readString(README));
    assertThat(block.find()).as("README.md has the nginx block between its markers").isTrue();
    String readme = block.group(1);
    String site = replace(replace(replace(replace(readme,
        "listen 443 ssl;", "listen 127.0.0.1:" + proxyPort + " ssl;"),
        "proxy_pass http://127.0.0.1:6001;", "proxy_pass http://127.0.0.1:" + serverPort + ";"),
        "/etc/letsencrypt/live/ws.example.com/fullchain.pem", cert.toString()),
        "/etc/letsencrypt/live/ws.example.com/privkey.pem", key.toString());
    return String.join("\n",
        "pid " + dir.resolve("nginx.pid") + ";",
        "events { worker_connections 64; }",
        "http {",
        "  access_log " + dir.resolve("access.log") + ";",
        "  client_body_temp_path " + dir.resolve("client_body") + ";",
        "  proxy_temp_path " + dir.resolve("proxy") + ";",
        "  fastcgi_temp_path " + dir.resolve("fastcgi") + ";",
        "  uwsgi_temp_path " + dir.resolve("uwsgi") + ";",
        "  scgi_temp_path " + dir.resolve("scgi") + ";",
        site,
        "}", "");
  }

  private static String replace(String text, String from, String to) {
    assertThat(text).as("the README's nginx block").contains(from);
    return text.replace(from, to);
  }

  private static String healthThroughTheProxy(HttpClient https, int proxyPort, StandaloneProcess proxy)
      throws Exception {
    long deadline = System.nanoTime() + 20_000_000_000L;
    while (true) {
      try {
        return https.send(HttpRequest.newBuilder(URI.create("https://localhost:" + proxyPort + "/health")).build(),
            HttpResponse.BodyHandlers.ofString()).body();
      } catch (java.io.IOException notListeningYet) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("nginx did not answer on " + proxyPort + ":\n" + proxy.output(), notListeningYet);
        }
        Thread.sleep(100);
      }
    }
  }
}
