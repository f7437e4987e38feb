package dev.broadcasting.benchmarks;

import dev.broadcasting.Broadcaster;
import dev.broadcasting.ably.AblyBroadcastDriver;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.SocketFactory;
import okhttp3.Call;
import okhttp3.EventListener;
import okhttp3.OkHttpClient;
import okhttp3.Request;

/**
 * Where an ably request's time goes, phase by phase (OkHttp's {@link EventListener}): the #15 ably
 * row on one channel, 10,000 queued events against a loopback {@link HttpSink}, with the driver's
 * sockets as it makes them (Nagle's algorithm off) and with plain JDK sockets (Nagle on). With Nagle
 * on, the median request waited about 42 ms between the end of its body and the answer's headers:
 * the last part of the body held back until the sink acknowledged the first, which it delays.
 *
 * <pre>{@code java -cp benchmarks.jar dev.broadcasting.benchmarks.RequestPhases}</pre>
 */
public final class RequestPhases {
  private static final int CALL_START = 0;
  private static final int HEADERS_END = 1;
  private static final int BODY_END = 2;
  private static final int ANSWER_HEADERS = 3;
  private static final int CALL_END = 4;

  private RequestPhases() {}

  public static void main(String[] args) throws Exception {
    System.out.println("ably, 1 channel, 10,000 queued events per round, load " + Goals.loadAverage());
    for (int round = 0; round < 3; round++) {
      measure("driver's sockets (Nagle off)", null);
      measure("plain JDK sockets (Nagle on)", new PlainSockets());
    }
  }

  private static void measure(String sockets, SocketFactory own) throws Exception {
    Map<Call, long[]> open = new ConcurrentHashMap<>();
    List<long[]> done = new CopyOnWriteArrayList<>();
    OkHttpClient.Builder client = PooledClients.pool64().newBuilder().eventListener(new EventListener() {
      private void at(Call call, int phase) {
        open.computeIfAbsent(call, c -> new long[CALL_END + 1])[phase] = System.nanoTime();
      }

      @Override
      public void callStart(Call call) {
        at(call, CALL_START);
      }

      @Override
      public void requestHeadersEnd(Call call, Request request) {
        at(call, HEADERS_END);
      }

      @Override
      public void requestBodyEnd(Call call, long byteCount) {
        at(call, BODY_END);
      }

      @Override
      public void responseHeadersStart(Call call) {
        at(call, ANSWER_HEADERS);
      }

      @Override
      public void callEnd(Call call) {
        at(call, CALL_END);
        done.add(open.remove(call));
      }
    });
    if (own != null) {
      client.socketFactory(own); // an application's own factory, which the driver keeps as it is
    }
    OkHttpClient built = client.build();
    try (HttpSink sink = HttpSink.start(201, "{}");
        Broadcaster broadcaster = Broadcaster.builder().connection("ably", AblyBroadcastDriver.builder()
            .key("appid.keyid:secretsecret").host("127.0.0.1").port(sink.port()).tls(false)
            .allowInsecureBasicAuth(true).httpClient(built).build()).blockWhenFull(Duration.ofMinutes(1)).build()) {
      Round round = Round.run("ably, " + sockets, 10_000, 0, Duration.ofSeconds(60),
          i -> broadcaster.broadcast(new GoalEvent(0)));
      System.out.println(round.describe());
      System.out.printf(Locale.ROOT, "  %d requests; median ms: headers written %.3f, body written %.3f, "
              + "body end to answer headers %.3f, whole call %.3f%n", done.size(), median(done, CALL_START, HEADERS_END),
          median(done, HEADERS_END, BODY_END), median(done, BODY_END, ANSWER_HEADERS), median(done, CALL_START, CALL_END));
    } finally {
      PooledClients.close(built);
    }
  }

  private static double median(List<long[]> calls, int from, int to) {
    double[] millis = calls.stream().mapToDouble(c -> (c[to] - c[from]) / 1e6).sorted().toArray();
    return millis.length == 0 ? Double.NaN : millis[millis.length / 2];
  }

  /** The JDK's sockets, as a factory of the application's own. */
  private static final class PlainSockets extends SocketFactory {
    private final SocketFactory jdk = SocketFactory.getDefault();

    @Override
    public Socket createSocket() throws IOException {
      return jdk.createSocket();
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
      return jdk.createSocket(host, port);
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
      return jdk.createSocket(host, port, localHost, localPort);
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
      return jdk.createSocket(host, port);
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
        throws IOException {
      return jdk.createSocket(address, port, localAddress, localPort);
    }
  }
}
