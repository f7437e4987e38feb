package dev.broadcasting.doctor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.broadcasting.doctor.Finding.Outcome;
import dev.broadcasting.doctor.internal.FrontEnd;
import dev.broadcasting.doctor.internal.WebSocketCheck;
import dev.broadcasting.server.App;
import dev.broadcasting.server.BroadcastServer;
import dev.broadcasting.spi.DriverSettings;
import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded server with TLS (a self-signed certificate made here), and a page that uses ws:// or wss://. */
class TlsServerTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static X509Bundle certificate;
  private static BroadcastServer server;

  @BeforeAll
  static void start(@TempDir Path dir) throws Exception {
    certificate = new CertificateBuilder().subject("CN=localhost").addSanDnsName("localhost")
        .notBefore(Instant.now().minus(1, ChronoUnit.DAYS)).notAfter(Instant.now().plus(1, ChronoUnit.DAYS))
        .ecp256().setIsCertificateAuthority(true).buildSelfSigned();
    Path cert = Files.writeString(dir.resolve("fullchain.pem"), certificate.getCertificatePathPEM());
    Path key = Files.writeString(dir.resolve("privkey.pem"), certificate.getPrivateKeyPEM());
    server = BroadcastServer.builder().host("127.0.0.1").port(0).tls(cert, key)
        .app(App.builder("1", EmbeddedServer.KEY, EmbeddedServer.SECRET).build()).build().start();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void wssWithATrustedCertificateConnects() throws Exception {
    SSLContext trusting = SSLContext.getInstance("TLS");
    trusting.init(null, certificate.toTrustManagerFactory().getTrustManagers(), null);
    HttpClient http = HttpClient.newBuilder().sslContext(trusting).connectTimeout(TIMEOUT).build();

    Finding finding = new WebSocketCheck(page("https"), http, TIMEOUT).run();

    assertThat(finding.outcome()).isEqualTo(Outcome.OK);
    assertThat(finding.check()).isEqualTo("websocket wss://localhost:" + server.port() + "/app/app-key");
  }

  /** Even a certificate this machine does not trust proves that the port speaks TLS. */
  @Test
  void wsAgainstATlsServerIsATlsMismatch() {
    Finding finding = new WebSocketCheck(page("http"), HttpClient.newBuilder().connectTimeout(TIMEOUT).build(),
        TIMEOUT).run();

    assertThat(finding.line()).isEqualTo("FAIL websocket ws://localhost:" + server.port() + "/app/app-key | saw: the "
        + "page uses ws:// but localhost:" + server.port() + " speaks TLS (wss://) | fix: set VITE_PUSHER_SCHEME=https "
        + "(Echo forceTLS: true)");
  }

  private static FrontEnd page(String scheme) {
    Map<String, String> settings = EmbeddedServer.settings(server.port());
    settings.put("VITE_PUSHER_HOST", "localhost");
    settings.put("VITE_PUSHER_SCHEME", scheme);
    return FrontEnd.read(DriverSettings.of(settings));
  }
}
