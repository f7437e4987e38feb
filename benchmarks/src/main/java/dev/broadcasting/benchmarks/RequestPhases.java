package dev.broadcasting.benchmarks;

import dev.broadcasting.Broadcaster;
import dev.broadcasting.ably.AblyBroadcastDriver;
import dev.broadcasting.pusher.PusherBroadcastDriver;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
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
 * Where an HTTP driver's request time goes, phase by phase (OkHttp's {@link EventListener}), on
 * one channel against a loopback {@link HttpSink}.
 *
 * <p>ably (the default): 10,000 queued events, with the driver's sockets as it makes them (Nagle's
 * algorithm off) and with plain JDK sockets (Nagle on). With Nagle on, the median request waited
 * about 42 ms between the end of its body and the answer's headers: the last part of the body held
 * back until the sink acknowledged the first, which it delays.
 *
 * <p>{@code pusher}: the #15 pusher row on one channel, where one {@code batch_events} request is in
 * flight at a time, so that a request's phases and the gap until the next one add up to the cycle
 * that bounds the row: 3 unmeasured rounds of 40,000 queued events, then 3 measured.
 *
 * <pre>{@code java -cp benchmarks.jar dev.broadcasting.benchmarks.RequestPhases [pusher]}</pre>
 */
public final class RequestPhases {
  private static final int CALL_START = 0;
  private static final int HEADERS_END = 1;
  private static final int BODY_END = 2;
  private static final int ANSWER_HEADERS = 3;
  private static final int CALL_END = 4;

  private RequestPhases() {}

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].startsWith("pusher")) {
      pusherCycle();
      return;
    }
    System.out.println("ably, 1 channel, 10,000 queued events per round, load " + Goals.loadAverage());
    for (int round = 0; round < 3; round++) {
      measure("driver's sockets (Nagle off)", null);
      measure("plain JDK sockets (Nagle on)", new PlainSockets());
    }
  }

  private static void measure(String sockets, SocketFactory own) throws Exception {
    List<long[]> done = new CopyOnWriteArrayList<>();
    OkHttpClient.Builder client = PooledClients.pool64().newBuilder().eventListener(phases(done));
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

  /**
   * The pusher driver on one channel with the client it builds by default (timeouts and pool as
   * {@code OkHttpTransport} sets them) plus the phase listener. With one request in flight, the gap from a call's end
   * to the next call's start is the answer's way back through core to the next batch.
   */
  private static void pusherCycle() throws Exception {
    System.out.println("pusher over OkHttp, 1 channel, 40,000 queued events "
        + "per round, load " + Goals.loadAverage());
    List<long[]> done = new CopyOnWriteArrayList<>();
    OkHttpClient built = PooledClients.pool64().newBuilder().eventListener(phases(done))
        .readTimeout(Duration.ofSeconds(10)).writeTimeout(Duration.ofSeconds(10)).callTimeout(Duration.ofSeconds(20))
        .build();
    try (HttpSink sink = HttpSink.start(200, "{}");
        Broadcaster broadcaster = Broadcaster.builder().connection("pusher", PusherBroadcastDriver.builder().appId(AuthBenchmark.APP_ID).key(AuthBenchmark.KEY)
                .secret(AuthBenchmark.SECRET).host("127.0.0.1").port(sink.port()).scheme("http").client(built).build())
            .blockWhenFull(Duration.ofMinutes(1)).build()) {
      GoalEvent event = new GoalEvent(0);
      for (int round = 0; round < 6; round++) {
        done.clear();
        Round measured = Round.run("pusher, 1 channel" + (round < 3 ? " (warm-up)" : ""), 40_000, 0,
            Duration.ofSeconds(60), i -> broadcaster.broadcast(event));
        System.out.println(measured.describe());
        long[][] calls = done.stream().sorted(Comparator.comparingLong(c -> c[CALL_START])).toArray(long[][]::new);
        double[] gaps = new double[Math.max(0, calls.length - 1)];
        for (int i = 1; i < calls.length; i++) {
          gaps[i - 1] = (calls[i][CALL_START] - calls[i - 1][CALL_END]) / 1e3;
        }
        Arrays.sort(gaps);
        System.out.printf(Locale.ROOT, "  %d requests; median us: enqueue to headers written %.1f, headers and body written %.1f, body "
                    + "end to answer headers %.1f, answer headers to call end %.1f, call end to the next call's "
                    + "start %.1f; whole cycle %.1f%n", done.size(),
            1e3 * median(done, CALL_START, HEADERS_END), 1e3 * median(done, HEADERS_END, BODY_END),
            1e3 * median(done, BODY_END, ANSWER_HEADERS), 1e3 * median(done, ANSWER_HEADERS, CALL_END),
            gaps.length == 0 ? Double.NaN : gaps[gaps.length / 2], measured.nanos() / 1e3 / calls.length);
      }
    } finally {
      PooledClients.close(built);
    }
  }

  /** A listener that records each call's phases into {@code done} when the call ends. */
  private static EventListener phases(List<long[]> done) {
    Map<Call, long[]> open = new ConcurrentHashMap<>();
    return new EventListener() {
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
    };
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
