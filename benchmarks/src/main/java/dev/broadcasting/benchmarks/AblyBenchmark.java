package dev.broadcasting.benchmarks;

import dev.broadcasting.Channel;
import dev.broadcasting.PrivateChannel;
import dev.broadcasting.ably.AblyBroadcastDriver;
import dev.broadcasting.spi.BroadcastMessage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
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
 * Events per second of the ably driver against a loopback sink that answers 201 at once, next to
 * raw OkHttp posting a request prepared once, with the same URL, headers and body bytes (goal: at
 * least 90% of raw OkHttp). Both use an OkHttp client with the driver's dispatcher limits (128
 * requests, 64 per host) and OkHttp's default connection pool; the {@code *Pool64} pair gives both
 * a pool that keeps 64 connections (see {@link PooledClients}). {@code *Sync} waits for each answer; {@code *Async} keeps
 * {@value InFlight#WINDOW} events in flight and counts each event as one operation.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class AblyBenchmark {
  private static final int WINDOW = InFlight.WINDOW;
  private static final String KEY = "appid.keyid:secretsecret";

  private HttpSink sink;
  private AblyBroadcastDriver driver;
  private AblyBroadcastDriver pooledDriver;
  private OkHttpClient pooled;
  private BroadcastMessage message;
  private OkHttpClient raw;
  private Request prepared;

  @Setup
  public void setUp() {
    sink = HttpSink.start(201, "{\"channel\":\"private:orders.42\",\"messageId\":\"m\"}").recordBodies();
    driver = AblyBroadcastDriver.builder().key(KEY).host("127.0.0.1").port(sink.port()).tls(false)
        .allowInsecureBasicAuth(true).build();
    message = BroadcastMessage.of("OrderShipped", List.<Channel>of(new PrivateChannel("orders.42")),
        Payloads.json(200));
    // the raw client posts exactly the bytes the driver sent, as the sink received them
    driver.publish(message).join();
    byte[] body = sink.lastBody().getBytes(StandardCharsets.UTF_8);
    raw = PooledClients.defaultPool();
    pooled = PooledClients.pool64();
    pooledDriver = AblyBroadcastDriver.builder().key(KEY).host("127.0.0.1").port(sink.port()).tls(false)
        .allowInsecureBasicAuth(true).httpClient(pooled).build();
    String basic = "Basic " + Base64.getEncoder().encodeToString(KEY.getBytes(StandardCharsets.UTF_8));
    prepared = new Request.Builder()
        .url("http://127.0.0.1:" + sink.port() + "/channels/private:orders.42/messages")
        .header("Authorization", basic)
        .header("Accept", "application/json")
        .header("X-Ably-Version", "2")
        .header("Ably-Agent", "broadcasting-java/0.1")
        .post(RequestBody.create(body, MediaType.get("application/json")))
        .build();
    checkDelivered();
  }

  private void checkDelivered() {
    long before = sink.requests();
    driver.publish(message).join();
    pooledDriver.publish(message).join();
    rawPost(raw).join();
    rawPost(pooled).join();
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
  public void tearDown() {
    driver.close();
    pooledDriver.close();
    PooledClients.close(raw);
    PooledClients.close(pooled);
    sink.close();
  }

  @Benchmark
  public void driverSync() {
    driver.publish(message).join();
  }

  @Benchmark
  public void rawOkHttpSync() throws IOException {
    try (Response response = raw.newCall(prepared).execute()) {
      if (!response.isSuccessful()) {
        throw new IOException("HTTP " + response.code());
      }
      response.body().string();
    }
  }

  @Benchmark
  @OperationsPerInvocation(WINDOW)
  public void driverAsync() {
    InFlight.burst(() -> driver.publish(message));
  }

  @Benchmark
  @OperationsPerInvocation(WINDOW)
  public void rawOkHttpAsync() {
    InFlight.burst(() -> rawPost(raw));
  }

  /** driverAsync with the application's OkHttp client, whose pool keeps the 64 connections open. */
  @Benchmark
  @OperationsPerInvocation(WINDOW)
  public void driverAsyncPool64() {
    InFlight.burst(() -> pooledDriver.publish(message));
  }

  @Benchmark
  @OperationsPerInvocation(WINDOW)
  public void rawOkHttpAsyncPool64() {
    InFlight.burst(() -> rawPost(pooled));
  }

  private CompletableFuture<Void> rawPost(OkHttpClient client) {
    return RawPost.send(client, prepared);
  }
}
