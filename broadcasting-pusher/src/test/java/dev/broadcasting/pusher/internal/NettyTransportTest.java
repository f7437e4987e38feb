package dev.broadcasting.pusher.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.broadcasting.BroadcastException;
import dev.broadcasting.pusher.protocol.PusherSigner;
import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.X509TrustManager;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import okhttp3.HttpUrl;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Netty transport against MockWebServer: signed requests as the driver sends them, TLS with a
 * certificate made here (SNI, hostname verification), the connect and call timeouts, a connection cut in the
 * middle of an answer, the pool's bounds and its idle age, a cancel.
 */
class NettyTransportTest {
  private static final PusherSigner SIGNER = new PusherSigner("key", "secret");
  private static final Duration SECONDS_5 = Duration.ofSeconds(5);
  private final MockWebServer server = new MockWebServer();
  private NettyTransport transport;

  @BeforeEach
  void start() throws Exception {
    server.start();
  }

  @AfterEach
  void stop() {
    if (transport != null) {
      transport.close();
    }
    server.close();
  }

  private PusherHttp http(String scheme, NettyTransport.Limits limits, X509TrustManager trust, Duration read,
      Duration call) {
    PusherEndpoint endpoint = new PusherEndpoint(scheme, "localhost", server.getPort());
    transport = new NettyTransport(endpoint, SECONDS_5, read, call, limits, trust, null);
    return new PusherHttp(transport, endpoint, "1", SIGNER);
  }

  private PusherHttp http(NettyTransport.Limits limits) {
    return http("http", limits, null, SECONDS_5, SECONDS_5);
  }

  private static MockResponse ok(String body) {
    return new MockResponse.Builder().code(200).body(body).build();
  }

  @Test
  void postsAndGetsSignedRequests() throws Exception {
    server.enqueue(ok("{}"));
    server.enqueue(ok("{\"channels\":{}}"));
    PusherHttp http = http(NettyTransport.Limits.DEFAULT);
    byte[] body = "{\"name\":\"E\",\"channels\":[\"a\"],\"data\":\"{}\"}".getBytes(StandardCharsets.UTF_8);
    assertThat(http.post("/apps/1/events", body).get(5, TimeUnit.SECONDS)).isEqualTo("{}");
    assertThat(http.get("/apps/1/channels", Map.of("filter_by_prefix", "presence-", "info", "user_count,x y"))
        .get(5, TimeUnit.SECONDS)).isEqualTo("{\"channels\":{}}");

    RecordedRequest post = server.takeRequest();
    assertThat(post.getMethod()).isEqualTo("POST");
    assertThat(post.getUrl().encodedPath()).isEqualTo("/apps/1/events");
    assertThat(post.getHeaders().get("Content-Type")).isEqualTo("application/json");
    assertThat(post.getHeaders().get("Host")).isEqualTo("localhost:" + server.getPort());
    assertThat(post.getBody().toByteArray()).isEqualTo(body);
    assertThat(SIGNER.verifyRequest("POST", "/apps/1/events", query(post.getUrl()), body)).isTrue();

    RecordedRequest get = server.takeRequest();
    assertThat(get.getMethod()).isEqualTo("GET");
    assertThat(get.getUrl().encodedQuery()).contains("info=user_count%2Cx%20y").contains("filter_by_prefix=presence-");
    assertThat(get.getBodySize()).isZero();
    assertThat(SIGNER.verifyRequest("GET", "/apps/1/channels", query(get.getUrl()), null)).isTrue();
    // one keep-alive connection for both
    assertThat(get.getConnectionIndex()).isEqualTo(post.getConnectionIndex());
  }

  @Test
  void speaksTlsWithSniToATrustedCertificateForTheHost() throws Exception {
    PusherHttp http = overTlsWithACertificateFor("localhost");
    assertThat(http.post("/apps/1/events", "{}".getBytes(StandardCharsets.UTF_8)).get(5, TimeUnit.SECONDS))
        .isEqualTo("{}");
    RecordedRequest request = server.takeRequest();
    assertThat(request.getHandshake()).isNotNull();
    assertThat(request.getHandshakeServerNames()).containsExactly("localhost");
    assertThat(request.getHeaders().get("Host")).isEqualTo("localhost:" + server.getPort());
  }

  @Test
  void refusesATrustedCertificateForAnotherHost() throws Exception {
    PusherHttp http = overTlsWithACertificateFor("pusher.example");
    Throwable error = failure(http.post("/apps/1/events", "{}".getBytes(StandardCharsets.UTF_8)));
    assertThat(error).isInstanceOf(BroadcastException.class).hasMessageContaining("localhost")
        .hasRootCauseInstanceOf(java.security.cert.CertificateException.class);
    assertThat(error.getCause()).isInstanceOfAny(SSLHandshakeException.class, io.netty.handler.codec.DecoderException.class);
    assertThat(server.getRequestCount()).isZero();
  }

  @Test
  void theCallTimeoutEndsATrickledAnswer() {
    server.enqueue(new MockResponse.Builder().code(200).body("{\"padding\":\"" + "x".repeat(100) + "\"}")
        .throttleBody(1, 50, TimeUnit.MILLISECONDS).build());
    PusherHttp http = http("http", NettyTransport.Limits.DEFAULT, null, SECONDS_5, Duration.ofMillis(400));
    BroadcastException error = (BroadcastException) failure(http.get("/apps/1/channels", Map.of()));
    assertThat(error.isRetryable()).isTrue();
    assertThat(error.getCause()).isInstanceOf(SocketTimeoutException.class).hasMessageContaining("callTimeout");
  }

  @Test
  void aConnectionCutInTheMiddleOfAnAnswerFailsRetryablyAndTheNextRequestConnectsAgain() throws Exception {
    server.enqueue(new MockResponse.Builder().code(200).body("{\"channels\":{}}")
        .onResponseBody(new SocketEffect.CloseSocket()).build());
    server.enqueue(ok("{}"));
    PusherHttp http = http(NettyTransport.Limits.DEFAULT);
    BroadcastException error = (BroadcastException) failure(http.get("/apps/1/channels", Map.of()));
    assertThat(error.isRetryable()).isTrue();
    assertThat(error.httpStatus()).isZero();
    assertThat(http.post("/apps/1/events", "{}".getBytes(StandardCharsets.UTF_8)).get(5, TimeUnit.SECONDS))
        .isEqualTo("{}");
    assertThat(server.takeRequest().getConnectionIndex()).isNotEqualTo(server.takeRequest().getConnectionIndex());
  }

  /**
   * A server that closes a connection as soon as it is idle (after each answer, without saying
   * {@code Connection: close}, as an idle timeout does): the next request, sent from the answer's
   * callback on the event loop, is written on that connection before its end is read. No byte of an
   * answer comes, so it goes once more on a new connection, and the caller sees only the answer.
   */
  @Test
  void aRequestOnAConnectionTheServerClosedWhileIdleGoesOnceMoreOnANewConnection() throws Exception {
    server.enqueue(new MockResponse.Builder().code(200).body("{\"n\":1}")
        .onResponseEnd(SocketEffect.ShutdownConnection.INSTANCE).build());
    server.enqueue(ok("{\"n\":2}"));
    PusherHttp http = http(NettyTransport.Limits.DEFAULT);
    CompletableFuture<String> second = http.post("/apps/1/events", "{\"a\":1}".getBytes(StandardCharsets.UTF_8))
        .thenCompose(first -> http.post("/apps/1/events", "{\"a\":2}".getBytes(StandardCharsets.UTF_8)));
    assertThat(second.get(5, TimeUnit.SECONDS)).isEqualTo("{\"n\":2}");
    RecordedRequest one = server.takeRequest();
    RecordedRequest two = server.takeRequest();
    assertThat(two.getBody().utf8()).isEqualTo("{\"a\":2}");
    assertThat(two.getConnectionIndex()).isNotEqualTo(one.getConnectionIndex());
    assertThat(server.getRequestCount()).isEqualTo(2);
    assertThat(transport.requestsSentAgain()).as("requests sent again after meeting a closed connection").isEqualTo(1);
  }

  /** Sent again once only: when the new connection ends before an answer too, the request fails, retryably. */
  @Test
  void aRequestIsSentAgainOnceOnly() throws Exception {
    server.enqueue(new MockResponse.Builder().code(200).body("{}")
        .onResponseEnd(SocketEffect.ShutdownConnection.INSTANCE).build());
    server.enqueue(new MockResponse.Builder().code(200).body("{}")
        .onRequestStart(new SocketEffect.CloseSocket(true, true, true)).build());
    PusherHttp http = http(NettyTransport.Limits.DEFAULT);
    CompletableFuture<String> second = http.post("/apps/1/events", "{}".getBytes(StandardCharsets.UTF_8))
        .thenCompose(first -> http.post("/apps/1/events", "{}".getBytes(StandardCharsets.UTF_8)));
    BroadcastException error = (BroadcastException) failure(second);
    assertThat(error.isRetryable()).isTrue();
    assertThat(error.getMessage()).contains("the connection closed before the whole answer came");
    assertThat(transport.requestsSentAgain()).isEqualTo(1);
  }

  @Test
  void aRequestBeyondTheConnectionsAndTheWaitingBoundFailsAtOnceAndTheWaitingOneTakesTheFreedConnection()
      throws Exception {
    server.enqueue(new MockResponse.Builder().code(200).body("{}").headersDelay(300, TimeUnit.MILLISECONDS).build());
    server.enqueue(ok("{}"));
    PusherHttp http = http(new NettyTransport.Limits(1, 1, Duration.ofMinutes(5)));
    byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
    CompletableFuture<String> first = http.post("/apps/1/events", body);
    CompletableFuture<String> second = http.post("/apps/1/events", body);
    BroadcastException third = (BroadcastException) failure(http.post("/apps/1/events", body));
    assertThat(third.isRetryable()).isTrue();
    assertThat(third.getMessage()).contains("1 Pusher requests already wait for one of 1 connections")
        .contains("was not sent");
    assertThat(transport.openAndWaiting()).containsExactly(1, 1);
    assertThat(first.get(5, TimeUnit.SECONDS)).isEqualTo("{}");
    assertThat(second.get(5, TimeUnit.SECONDS)).isEqualTo("{}");
    RecordedRequest a = server.takeRequest();
    RecordedRequest b = server.takeRequest();
    assertThat(List.of(a.getConnectionIndex(), b.getExchangeIndex())).containsExactly(b.getConnectionIndex(), 1);
    assertThat(server.getRequestCount()).isEqualTo(2);
  }

  @Test
  void theCallTimeoutAlsoEndsTheWaitForAConnection() {
    server.enqueue(new MockResponse.Builder().code(200).body("{}").headersDelay(2, TimeUnit.SECONDS).build());
    PusherEndpoint endpoint = new PusherEndpoint("http", "localhost", server.getPort());
    transport = new NettyTransport(endpoint, SECONDS_5, SECONDS_5, Duration.ofMillis(300),
        new NettyTransport.Limits(1, 8, Duration.ofMinutes(5)), null, null);
    PusherHttp http = new PusherHttp(transport, endpoint, "1", SIGNER);
    CompletableFuture<String> inFlight = http.get("/apps/1/channels", Map.of());
    CompletableFuture<String> waiting = http.get("/apps/1/channels", Map.of());
    assertThat(failure(waiting).getCause()).isInstanceOf(SocketTimeoutException.class).hasMessageContaining("callTimeout");
    assertThat(failure(inFlight).getCause()).isInstanceOf(SocketTimeoutException.class);
    // (the first one's timeout frees the connection some microseconds before the second's: the
    // second may go out on a new one before its own timeout ends it, so the server saw 1 or 2)
    assertThat(transport.openAndWaiting()[1]).isZero();
  }

  @Test
  void closesAConnectionIdleLongerThanItsAge() throws Exception {
    server.enqueue(ok("{}"));
    server.enqueue(ok("{}"));
    PusherHttp http = http(new NettyTransport.Limits(4, 16, Duration.ofMillis(100)));
    http.get("/apps/1/channels", Map.of()).get(5, TimeUnit.SECONDS);
    assertThat(transport.openAndWaiting()[0]).isEqualTo(1);
    awaitTrue(() -> transport.openAndWaiting()[0] == 0);
    http.get("/apps/1/channels", Map.of()).get(5, TimeUnit.SECONDS);
    assertThat(server.takeRequest().getConnectionIndex()).isNotEqualTo(server.takeRequest().getConnectionIndex());
  }

  @Test
  void aCancelClosesTheConnectionOfTheRequestInFlight() throws Exception {
    server.enqueue(new MockResponse.Builder().code(200).body("{}").headersDelay(2, TimeUnit.SECONDS).build());
    PusherHttp http = http(NettyTransport.Limits.DEFAULT);
    CompletableFuture<String> sent = http.get("/apps/1/channels", Map.of());
    server.takeRequest(5, TimeUnit.SECONDS);
    assertThat(transport.openAndWaiting()[0]).isEqualTo(1);
    sent.cancel(false);
    awaitTrue(() -> transport.openAndWaiting()[0] == 0);
  }

  @Test
  void theConnectTimeoutEndsAConnectionThatIsNeverAccepted() throws Exception {
    List<Socket> fillers = new ArrayList<>();
    try (ServerSocket full = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      // nobody accepts: once the accept queue is full the kernel drops the next SYNs, so a connect hangs
      while (fillers.size() < 16) {
        Socket filler = new Socket();
        fillers.add(filler);
        try {
          filler.connect(full.getLocalSocketAddress(), 200);
        } catch (SocketTimeoutException queueFull) {
          break;
        }
      }
      assertThat(fillers).as("sockets until the accept queue was full").hasSizeLessThan(16);
      PusherEndpoint endpoint = new PusherEndpoint("http", "127.0.0.1", full.getLocalPort());
      transport = new NettyTransport(endpoint, Duration.ofMillis(300), SECONDS_5, SECONDS_5,
          NettyTransport.Limits.DEFAULT, null, null);
      PusherHttp http = new PusherHttp(transport, endpoint, "1", SIGNER);
      BroadcastException error = (BroadcastException) failure(http.get("/apps/1/channels", Map.of()));
      assertThat(error.isRetryable()).isTrue();
      assertThat(error.getMessage()).contains("could not connect").contains("300");
      assertThat(error.getCause()).isInstanceOf(io.netty.channel.ConnectTimeoutException.class);
    } finally {
      for (Socket filler : fillers) {
        filler.close();
      }
    }
  }

  /** A lookup that does not end (the lookup thread busy, as with a DNS server that does not answer) is within the connect timeout. */
  @Test
  void theConnectTimeoutCoversTheHostLookup() throws Exception {
    PusherEndpoint endpoint = new PusherEndpoint("http", "localhost", server.getPort());
    transport = new NettyTransport(endpoint, Duration.ofMillis(300), SECONDS_5, SECONDS_5,
        NettyTransport.Limits.DEFAULT, null, null);
    CountDownLatch dnsAnswers = new CountDownLatch(1);
    transport.lookupThread().execute(() -> {
      try {
        dnsAnswers.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    try {
      PusherHttp http = new PusherHttp(transport, endpoint, "1", SIGNER);
      long start = System.nanoTime();
      BroadcastException error = (BroadcastException) failure(http.get("/apps/1/channels", Map.of()));
      assertThat(error.isRetryable()).isTrue();
      assertThat(error.getMessage()).contains("could not connect").contains("300 ms (connectTimeout), the host lookup included");
      assertThat(error.getCause()).isInstanceOf(io.netty.channel.ConnectTimeoutException.class);
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(SECONDS_5);
    } finally {
      dnsAnswers.countDown();
    }
    server.enqueue(ok("{}"));
    PusherHttp http = new PusherHttp(transport, endpoint, "1", SIGNER);
    assertThat(http.get("/apps/1/channels", Map.of()).get(5, TimeUnit.SECONDS)).isEqualTo("{}");
    awaitTrue(() -> transport.openAndWaiting()[0] == 1); // the late connection of the failed request was closed
  }

  @Test
  void aClosedTransportFailsNewRequestsAndSaysWhy() {
    PusherHttp http = http(NettyTransport.Limits.DEFAULT);
    transport.close();
    assertThat(failure(http.get("/apps/1/channels", Map.of()))).hasMessageContaining("is closed");
  }

  private static Throwable failure(CompletableFuture<?> future) {
    Throwable thrown = catchThrowable(() -> future.get(10, TimeUnit.SECONDS));
    assertThat(thrown).isInstanceOf(ExecutionException.class);
    return thrown.getCause();
  }

  private static void awaitTrue(BooleanSupplier condition) throws InterruptedException {
    long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime() - giveUp).as("waited 10 s").isNegative();
      Thread.sleep(10);
    }
  }

  private static Map<String, String> query(HttpUrl url) {
    Map<String, String> query = new HashMap<>();
    for (String name : url.queryParameterNames()) {
      query.put(name, url.queryParameter(name));
    }
    return query;
  }

  /** The server answers {@code {}} over TLS with a certificate for {@code host}, which the transport trusts. */
  private PusherHttp overTlsWithACertificateFor(String host) throws Exception {
    X509Bundle certificate = certificate(host);
    server.useHttps(sslContext(certificate).getSocketFactory());
    server.enqueue(ok("{}"));
    return http("https", NettyTransport.Limits.DEFAULT, (X509TrustManager) certificate.toTrustManager(), SECONDS_5,
        SECONDS_5);
  }

  private static X509Bundle certificate(String host) throws Exception {
    return new CertificateBuilder().subject("CN=" + host).addSanDnsName(host)
        .notBefore(Instant.now().minus(1, ChronoUnit.DAYS)).notAfter(Instant.now().plus(1, ChronoUnit.DAYS))
        .ecp256().setIsCertificateAuthority(true).buildSelfSigned();
  }

  private static SSLContext sslContext(X509Bundle certificate) throws Exception {
    KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    keys.init(certificate.toKeyStore(new char[0]), new char[0]);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(keys.getKeyManagers(), null, null);
    return context;
  }
}
