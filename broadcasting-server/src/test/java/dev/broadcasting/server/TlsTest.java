package dev.broadcasting.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** wss:// and https:// from a certificate chain and a PKCS#8 key in PEM files, as Let's Encrypt writes them. */
class TlsTest {

  @Test
  void servesWebSocketsAndTheApiOverTlsFromPemFiles(@TempDir Path dir) throws Exception {
    X509Bundle bundle = new CertificateBuilder().subject("CN=localhost").addSanDnsName("localhost")
        .notBefore(Instant.now().minus(1, ChronoUnit.DAYS)).notAfter(Instant.now().plus(1, ChronoUnit.DAYS))
        .ecp256().setIsCertificateAuthority(true).buildSelfSigned();
    Path cert = Files.writeString(dir.resolve("fullchain.pem"), bundle.getCertificatePathPEM());
    Path key = Files.writeString(dir.resolve("privkey.pem"), bundle.getPrivateKeyPEM());

    try (BroadcastServer server = BroadcastServer.builder().host("127.0.0.1").port(0).tls(cert, key)
        .app(App.builder("1", "tls-key", "tls-secret").build()).build().start()) {
      SSLContext trusting = SSLContext.getInstance("TLS");
      trusting.init(null, bundle.toTrustManagerFactory().getTrustManagers(), null);
      HttpClient client = HttpClient.newBuilder().sslContext(trusting).build();

      HttpResponse<String> health = client.send(HttpRequest.newBuilder(
          URI.create("https://localhost:" + server.port() + "/health")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(health.body()).isEqualTo("{\"status\":\"ok\",\"connections\":0}");

      CompletableFuture<String> first = new CompletableFuture<>();
      WebSocket socket = client.newWebSocketBuilder().buildAsync(
          URI.create("wss://localhost:" + server.port() + "/app/tls-key?protocol=7"), new WebSocket.Listener() {
            @Override
            public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
              first.complete(data.toString());
              return null;
            }
          }).get(10, TimeUnit.SECONDS);
      assertThat(first.get(10, TimeUnit.SECONDS)).startsWith("{\"event\":\"pusher:connection_established\"");
      socket.abort();
    }
  }

  @Test
  void namesTheFileThatIsMissingOrUnreadable(@TempDir Path dir) throws Exception {
    Path missing = dir.resolve("nope.pem");
    Path garbage = Files.writeString(dir.resolve("garbage.pem"), "not a certificate");
    assertThatThrownBy(() -> BroadcastServer.builder().tls(missing, garbage))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nope.pem");
    assertThatThrownBy(() -> BroadcastServer.builder().tls(garbage, garbage))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("garbage.pem").hasMessageContaining("PKCS#8");
  }
}
