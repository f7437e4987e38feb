package dev.broadcasting.ably;

import dev.broadcasting.kit.PeerSockets;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;

/** A MockWebServer standing in for one Ably host: it records every request and answers as scripted. */
final class FakeAbly implements Closeable {
  static final String KEY = "appId.keyId:keySecret";
  static final String BASIC = "Basic YXBwSWQua2V5SWQ6a2V5U2VjcmV0"; // echo -n appId.keyId:keySecret | base64

  final MockWebServer server = new MockWebServer();
  final List<RecordedRequest> requests = new CopyOnWriteArrayList<>();
  /** Every connection the server accepted, so that a test can see a client abandon one. */
  final PeerSockets sockets = new PeerSockets();
  volatile Function<RecordedRequest, MockResponse> answer = request -> created();
  /** Where several fakes note the host of each request, in the order they arrive. */
  volatile List<String> journal = new CopyOnWriteArrayList<>();

  private FakeAbly() {
    server.setServerSocketFactory(sockets);
    server.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        requests.add(request);
        journal.add(request.getUrl().host());
        return answer.apply(request);
      }
    });
  }

  static FakeAbly start() throws IOException {
    FakeAbly fake = new FakeAbly();
    fake.server.start(InetAddress.getByName("127.0.0.1"), 0);
    return fake;
  }

  /** Binds to another loopback address on the same port: one "host" of a fallback set. */
  static FakeAbly start(String loopbackAddress, int port) throws IOException {
    FakeAbly fake = new FakeAbly();
    fake.server.start(InetAddress.getByName(loopbackAddress), port);
    return fake;
  }

  int port() {
    return server.getPort();
  }

  /** A driver aimed at this server over plain HTTP, with short timeouts. */
  AblyBroadcastDriver.Builder driver() {
    return AblyBroadcastDriver.builder()
        .key(KEY)
        .host(server.getSocketAddress().getAddress().getHostAddress())
        .port(server.getPort())
        .tls(false)
        .allowInsecureBasicAuth(true)
        .connectTimeout(java.time.Duration.ofSeconds(2))
        .requestTimeout(java.time.Duration.ofSeconds(2));
  }

  static MockResponse created() {
    return json(201, "{\"channel\":\"x\",\"messageId\":\"m\"}");
  }

  static MockResponse json(int code, String body) {
    return new MockResponse.Builder().code(code).setHeader("Content-Type", "application/json").body(body).build();
  }

  static MockResponse error(int status, int code, String message) {
    return json(status, "{\"error\":{\"code\":" + code + ",\"statusCode\":" + status + ",\"message\":\"" + message + "\"}}");
  }

  /** An answer that comes too late for the client's request timeout. */
  static MockResponse stalled(long millis) {
    return new MockResponse.Builder().code(201).headersDelay(millis, TimeUnit.MILLISECONDS).body("{}").build();
  }

  @Override
  public void close() {
    server.close();
  }
}
