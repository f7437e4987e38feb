package dev.broadcasting.benchmarks;

import com.pusher.rest.Pusher;
import com.pusher.rest.PusherAsync;
import com.pusher.rest.data.Result;
import dev.broadcasting.Channel;
import dev.broadcasting.PrivateChannel;
import dev.broadcasting.pusher.PusherBroadcastDriver;
import dev.broadcasting.pusher.protocol.PusherSigner;
import dev.broadcasting.spi.BroadcastMessage;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import okhttp3.HttpUrl;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Events per second of the pusher driver against a loopback sink that answers 200 at once, next to
 * the official {@code com.pusher:pusher-http-java} client (goal: at least 3 times the official
 * client), both sending the same event: the same name, channel and pre-serialized data string.
 *
 * <p>{@code *Sync} sends one event and waits for its answer before the next, on one thread.
 * {@code *Async} keeps {@value #WINDOW} events in flight: it starts that many and waits for all,
 * and counts each event as one operation. The {@code sign*} benchmarks are the per-request signing
 * cost alone.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class PusherBenchmark {
  private static final int WINDOW = InFlight.WINDOW;
  private static final String PATH = "/apps/" + AuthBenchmark.APP_ID + "/events";

  private final String channel = "private-orders.42";
  private final String data = Payloads.json(200);
  private HttpSink sink;
  private PusherBroadcastDriver driver;
  private PusherBroadcastDriver pooledDriver;
  private okhttp3.OkHttpClient pooled;
  private BroadcastMessage message;
  private Pusher official;
  private PusherAsync officialAsync;
  private PusherSigner signer;
  private byte[] body;
  private String bodyText;
  private HttpUrl base;

  @Setup
  public void setUp() {
    sink = HttpSink.start(200, "{}");
    driver = PusherBroadcastDriver.builder().appId(AuthBenchmark.APP_ID).key(AuthBenchmark.KEY)
        .secret(AuthBenchmark.SECRET).host("127.0.0.1").port(sink.port()).scheme("http").build();
    // the next step for the driver, measured: the same driver on a client whose pool keeps 64 connections
    pooled = PooledClients.pool64();
    pooledDriver = PusherBroadcastDriver.builder().appId(AuthBenchmark.APP_ID).key(AuthBenchmark.KEY)
        .secret(AuthBenchmark.SECRET).host("127.0.0.1").port(sink.port()).scheme("http").client(pooled).build();
    message = BroadcastMessage.of("OrderShipped", List.<Channel>of(new PrivateChannel("orders.42")), data);
    official = new Pusher(AuthBenchmark.APP_ID, AuthBenchmark.KEY, AuthBenchmark.SECRET);
    official.setHost("127.0.0.1:" + sink.port());
    // The data is already JSON text: hand it over as it is, as the driver receives it from core.
    official.setDataMarshaller(data -> (String) data);
    officialAsync = new PusherAsync(AuthBenchmark.APP_ID, AuthBenchmark.KEY, AuthBenchmark.SECRET);
    officialAsync.setHost("127.0.0.1:" + sink.port());
    officialAsync.setDataMarshaller(data -> (String) data);
    signer = new PusherSigner(AuthBenchmark.KEY, AuthBenchmark.SECRET);
    bodyText = "{\"name\":\"OrderShipped\",\"channels\":[\"" + channel + "\"],\"data\":" + Payloads.quote(data) + "}";
    body = bodyText.getBytes(StandardCharsets.UTF_8);
    base = HttpUrl.get("http://127.0.0.1:" + sink.port() + "/");
    checkDelivered();
  }

  /** A benchmark that measured failures would be worthless: each client must get a 200 first. */
  private void checkDelivered() {
    long before = sink.requests();
    driver.publish(message).join();
    pooledDriver.publish(message).join();
    Result result = official.trigger(channel, "OrderShipped", data);
    if (result.getHttpStatus() != 200) {
      throw new IllegalStateException("official sync client failed: " + result.getMessage());
    }
    Result async = officialAsync.trigger(channel, "OrderShipped", data).join();
    if (async.getHttpStatus() != 200) {
      throw new IllegalStateException("official async client failed: " + async.getMessage());
    }
    if (sink.requests() - before != 4) {
      throw new IllegalStateException("the sink saw " + (sink.requests() - before) + " requests instead of 4");
    }
  }

  @TearDown(Level.Iteration)
  public void reportConnections() {
    // printed into the JMH log: how many TCP connections the client under test opened
    System.out.printf(java.util.Locale.ROOT, "  sink: %d requests over %d connections so far%n", sink.requests(),
        sink.connections());
  }

  @TearDown
  public void tearDown() throws Exception {
    driver.close();
    pooledDriver.close();
    PooledClients.close(pooled);
    official.close();
    officialAsync.close();
    sink.close();
  }

  @Benchmark
  public void driverSync() {
    driver.publish(message).join();
  }

  @Benchmark
  public Result officialSync() {
    return official.trigger(channel, "OrderShipped", data);
  }

  @Benchmark
  @OperationsPerInvocation(WINDOW)
  public void driverAsync() {
    InFlight.burst(() -> driver.publish(message));
  }

  /** driverAsync with the application's OkHttp client, whose pool keeps the 64 connections open. */
  @Benchmark
  @OperationsPerInvocation(WINDOW)
  public void driverAsyncPool64() {
    InFlight.burst(() -> pooledDriver.publish(message));
  }

  @Benchmark
  @OperationsPerInvocation(WINDOW)
  public void officialAsync() {
    InFlight.burst(() -> officialAsync.trigger(channel, "OrderShipped", data));
  }

  /** The auth query parameters of one events request, and the URL carrying them, as the driver builds it. */
  @Benchmark
  public HttpUrl signRequest() {
    HttpUrl.Builder url = base.newBuilder().encodedPath(PATH);
    signer.signRequest("POST", PATH, Map.of(), body, System.currentTimeMillis() / 1000).forEach(url::addQueryParameter);
    return url.build();
  }

  /** The same from the official client: the signed URI of the same request. */
  @Benchmark
  public URI officialSignRequest() {
    return official.signedUri("POST", PATH, bodyText);
  }
}
