package dev.broadcasting.pusher.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.broadcasting.pusher.protocol.PusherSigner;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.HttpUrl;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A request signed ahead ({@link PusherHttp#signAhead}) goes out only when sent, with the
 * signature made ahead while it is under 1 s old, and signed again after that: Pusher's
 * auth_timestamp stays fresh. The clock is the test's.
 */
class SignedAheadTest {
  private static final PusherSigner SIGNER = new PusherSigner("key", "secret");
  private static final Duration SECONDS_5 = Duration.ofSeconds(5);
  private static final byte[] BODY = "{\"batch\":[{\"channel\":\"a\",\"name\":\"E\",\"data\":\"{}\"}]}"
      .getBytes(StandardCharsets.UTF_8);
  private final MockWebServer server = new MockWebServer();
  private final AtomicLong millis = new AtomicLong(1_700_000_000_500L);
  private NettyTransport transport;
  private PusherHttp http;

  @BeforeEach
  void start() throws Exception {
    server.start();
    PusherEndpoint endpoint = new PusherEndpoint("http", "localhost", server.getPort());
    transport = new NettyTransport(endpoint, SECONDS_5, SECONDS_5, SECONDS_5, NettyTransport.Limits.DEFAULT, null, null);
    http = new PusherHttp(transport, endpoint, "1", SIGNER, millis::get);
  }

  @AfterEach
  void stop() {
    transport.close();
    server.close();
  }

  @Test
  void aRequestSignedUnderASecondAgoGoesWithItsSignatureAnOlderOneIsSignedAgain() throws Exception {
    server.enqueue(new MockResponse.Builder().code(200).body("{}").build());
    server.enqueue(new MockResponse.Builder().code(200).body("{}").build());
    PusherHttp.Signed fresh = http.signAhead("/apps/1/batch_events", BODY);
    PusherHttp.Signed stale = http.signAhead("/apps/1/batch_events", BODY);
    assertThat(server.getRequestCount()).as("signed, not sent").isZero();

    millis.addAndGet(999); // 1_700_000_001_499: the second changed, the signature is 999 ms old
    assertThat(http.send(fresh).get(5, TimeUnit.SECONDS)).isEqualTo("{}");
    millis.addAndGet(1); // 1 s old now
    assertThat(http.send(stale).get(5, TimeUnit.SECONDS)).isEqualTo("{}");

    RecordedRequest first = server.takeRequest();
    assertThat(first.getUrl().encodedPath()).isEqualTo("/apps/1/batch_events");
    assertThat(first.getBody().toByteArray()).isEqualTo(BODY);
    assertThat(SIGNER.verifyRequest("POST", "/apps/1/batch_events", query(first.getUrl()), BODY)).isTrue();
    assertThat(first.getUrl().queryParameter("auth_timestamp")).isEqualTo("1700000000");

    RecordedRequest second = server.takeRequest();
    assertThat(second.getBody().toByteArray()).isEqualTo(BODY);
    assertThat(SIGNER.verifyRequest("POST", "/apps/1/batch_events", query(second.getUrl()), BODY)).isTrue();
    assertThat(second.getUrl().queryParameter("auth_timestamp")).isEqualTo("1700000001");
  }

  @Test
  void aClockThatWentBackSignsAgain() throws Exception {
    server.enqueue(new MockResponse.Builder().code(200).body("{}").build());
    PusherHttp.Signed ahead = http.signAhead("/apps/1/batch_events", BODY);
    millis.addAndGet(-2_000);
    http.send(ahead).get(5, TimeUnit.SECONDS);
    RecordedRequest request = server.takeRequest();
    assertThat(request.getUrl().queryParameter("auth_timestamp")).isEqualTo("1699999998");
    assertThat(SIGNER.verifyRequest("POST", "/apps/1/batch_events", query(request.getUrl()), BODY)).isTrue();
  }

  private static Map<String, String> query(HttpUrl url) {
    Map<String, String> query = new HashMap<>();
    for (String name : url.queryParameterNames()) {
      query.put(name, url.queryParameter(name));
    }
    return query;
  }
}
