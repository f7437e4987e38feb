package dev.broadcasting.pusher;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.broadcasting.kit.PeerSockets;
import dev.broadcasting.pusher.protocol.JavaxHmac;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.HttpUrl;

/**
 * A Pusher HTTP API stand-in on MockWebServer: answers 200 {@code {}} unless told otherwise, and
 * checks every request's signature the way Pusher does, recomputed here with javax.crypto and
 * never with the code under test.
 */
final class PusherPeer implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();

  final String appId;
  final String key;
  final String secret;
  final MockWebServer server = new MockWebServer();
  /** Every connection the peer accepted, so that a test can see a client abandon one. */
  final PeerSockets sockets = new PeerSockets();
  private final BlockingQueue<Function<RecordedRequest, MockResponse>> answers = new LinkedBlockingQueue<>();
  private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
  private volatile CountDownLatch gate;
  /** The status of a request recorded while answers were held. */
  static final int UNANSWERED = -1;

  /**
   * One request as the peer saw it ({@code query} decoded, {@code encodedQuery} as sent); {@code signatureValid} is the peer's own verdict, {@code status}
   * the status it answered with.
   */
  record Received(String method, String path, Map<String, String> query, String encodedQuery, byte[] body,
      String contentType, boolean signatureValid, int status) {
    JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    String bodyText() {
      return new String(body, UTF_8);
    }
  }

  PusherPeer(String appId, String key, String secret) throws IOException {
    this.appId = appId;
    this.key = key;
    this.secret = secret;
    server.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
        CountDownLatch held = gate;
        if (held != null) {
          // Recorded on arrival, as a test that holds answers waits for the request before it
          // releases them; its status is not known yet.
          received.add(record(request, UNANSWERED));
          held.await(30, TimeUnit.SECONDS);
        }
        Function<RecordedRequest, MockResponse> scripted = answers.poll();
        MockResponse answer = scripted != null ? scripted.apply(request)
            : new MockResponse.Builder().code(200).body("{}").build();
        if (held == null) {
          received.add(record(request, answer.getCode()));
        }
        return answer;
      }
    });
    server.setServerSocketFactory(sockets);
    server.start();
  }

  PusherPeer() throws IOException {
    this("3", "278d425bdf160c739803", "7ad3773142a6692b25b8");
  }

  /** A builder pointed at this peer over plain HTTP. */
  PusherBroadcastDriver.Builder driver() {
    return PusherBroadcastDriver.builder().appId(appId).key(key).secret(secret)
        .host(server.getSocketAddress().getAddress().getHostAddress()).port(server.getPort()).scheme("http");
  }

  /** Holds every answer until {@link #release}, so that the client's next events wait behind a request in flight. */
  void holdAnswers() {
    gate = new CountDownLatch(1);
  }

  void release() {
    CountDownLatch held = gate;
    gate = null;
    if (held != null) {
      held.countDown();
    }
  }

  void answer(int code, String body) {
    answer(new MockResponse.Builder().code(code).body(body).build());
  }

  void answer(MockResponse response) {
    answers.add(request -> response);
  }

  /** Answers the next request unscripted so far with what {@code answer} makes of it, on the server's thread. */
  void answer(Function<RecordedRequest, MockResponse> answer) {
    answers.add(answer);
  }

  /** Forgets the answers not given yet: later requests get 200 {@code {}}. */
  void forgetAnswers() {
    answers.clear();
  }

  Received take() throws InterruptedException {
    Received next = received.poll(10, TimeUnit.SECONDS);
    assertThat(next).as("a request within 10 s").isNotNull();
    return next;
  }

  /** The next request, asserting that Pusher would accept its signature. */
  Received takeSigned() throws InterruptedException {
    Received next = take();
    assertThat(next.signatureValid()).as("signature of %s %s %s", next.method(), next.path(), next.query()).isTrue();
    return next;
  }

  Received poll(long millis) throws InterruptedException {
    return received.poll(millis, TimeUnit.MILLISECONDS);
  }

  int requestCount() {
    return server.getRequestCount();
  }

  private Received record(RecordedRequest request, int status) {
    HttpUrl url = request.getUrl();
    Map<String, String> query = new TreeMap<>();
    for (String name : url.queryParameterNames()) {
      query.put(name, url.queryParameter(name));
    }
    byte[] body = request.getBody() == null ? new byte[0] : request.getBody().toByteArray();
    String contentType = request.getHeaders().get("Content-Type");
    return new Received(request.getMethod(), url.encodedPath(), query, url.encodedQuery(), body, contentType,
        signatureValid(request.getMethod(), url.encodedPath(), query, body), status);
  }

  /** Pusher's rule: sorted lower-case params without auth_signature, METHOD\npath\nquery, HMAC-SHA256. */
  private boolean signatureValid(String method, String path, Map<String, String> query, byte[] body) {
    if (!key.equals(query.get("auth_key")) || !"1.0".equals(query.get("auth_version"))
        || query.get("auth_timestamp") == null) {
      return false;
    }
    if (body.length > 0 && !JavaxHmac.md5(body).equals(query.get("body_md5"))) {
      return false;
    }
    List<String> pairs = new ArrayList<>();
    new TreeMap<>(query).forEach((name, value) -> {
      if (!name.equals("auth_signature")) {
        pairs.add(name + "=" + value);
      }
    });
    String toSign = method + "\n" + path + "\n" + String.join("&", pairs);
    return JavaxHmac.hex(secret, toSign).equals(query.get("auth_signature"));
  }

  @Override
  public void close() {
    release();
    server.close();
  }
}
