package dev.broadcasting.benchmarks;

import dev.broadcasting.Broadcaster;
import dev.broadcasting.Channel;
import dev.broadcasting.PrivateChannel;
import dev.broadcasting.redis.RedisBroadcastDriver;
import dev.broadcasting.spi.BroadcastMessage;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The redis driver against a real {@code redis-server}: events per second with 200-byte payloads
 * on 1 and on 10 channels, {@value InFlight#WINDOW} events in flight on the driver's one
 * connection, next to raw lettuce publishing the same bytes; and the latency of a
 * {@code ShouldBroadcastNow} broadcast against a raw lettuce sync {@code PUBLISH} of the same
 * bytes (goal: p99 at most 1.5 times raw).
 *
 * <p>The server is the one on port {@code -Dbench.redis.port} when given (so that
 * {@link RedisComparison} can run {@code redis-benchmark} against the same server), else one this
 * benchmark starts from the PATH.
 */
@State(Scope.Benchmark)
@OutputTimeUnit(TimeUnit.SECONDS)
public class RedisBenchmark {
  private static final int WINDOW = InFlight.WINDOW;

  @Param({"1", "10"})
  public int channels;

  private RedisProcess ownServer;
  private RedisClient client;
  private StatefulRedisConnection<byte[], byte[]> raw;
  private StatefulRedisConnection<byte[], byte[]> batched;
  private RedisBroadcastDriver driver;
  private Broadcaster broadcaster;
  private BroadcastMessage message;
  private byte[] channel;
  private byte[] body;
  private byte[] nowBody;
  private final OrderShipped.Now now = OrderShipped.Now.sample();

  @Setup
  public void setUp() throws Exception {
    String port = System.getProperty("bench.redis.port");
    if (port == null) {
      ownServer = RedisProcess.start();
      port = Integer.toString(ownServer.port());
    }
    String uri = "redis://127.0.0.1:" + port;
    driver = RedisBroadcastDriver.builder().uri(uri).build();
    broadcaster = Broadcaster.builder().connection("redis", RedisBroadcastDriver.builder().uri(uri).build()).build();
    List<Channel> list = new ArrayList<>();
    for (int i = 0; i < channels; i++) {
      list.add(new PrivateChannel("orders." + i));
    }
    message = BroadcastMessage.of("OrderShipped", list, Payloads.json(200));
    body = wireBody("OrderShipped", message.payload());
    channel = "private-orders.0".getBytes(StandardCharsets.UTF_8);
    // what broadcastNow(now) puts on the wire, so that the raw PUBLISH sends the same bytes
    nowBody = nowWireBody();
    client = RedisClient.create(uri);
    raw = client.connect(ByteArrayCodec.INSTANCE);
    batched = client.connect(ByteArrayCodec.INSTANCE);
    driver.publish(message).join();
    broadcaster.broadcast(now).join();
  }

  /** What {@code broadcastNow(OrderShipped.Now.sample())} PUBLISHes. */
  static byte[] nowWireBody() {
    return wireBody("OrderShipped",
        "{\"orderId\":42,\"carrier\":\"UPS\",\"trackingCode\":\"1Z999AA10123456784\",\"parcels\":3,\"weightKg\":12.5}");
  }

  /** Laravel's RedisBroadcaster message, as DESIGN.md gives it: what the driver PUBLISHes. */
  static byte[] wireBody(String event, String payload) {
    return ("{\"event\":\"" + event + "\",\"data\":" + payload + ",\"socket\":null}").getBytes(StandardCharsets.UTF_8);
  }

  @TearDown
  public void tearDown() {
    broadcaster.close();
    driver.close();
    raw.close();
    batched.close();
    client.shutdown();
    if (ownServer != null) {
      ownServer.close();
    }
  }

  /** Events per second through the driver, each event on {@code channels} channels. */
  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OperationsPerInvocation(WINDOW)
  public void driverPublish() {
    InFlight.burst(() -> driver.publish(message));
  }

  /** Raw lettuce, the same body on one channel (whatever {@code channels} says): the one-channel driverPublish's peer. */
  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OperationsPerInvocation(WINDOW)
  public void lettucePublish() {
    RedisFuture<?>[] sent = new RedisFuture<?>[WINDOW];
    for (int i = 0; i < WINDOW; i++) {
      sent[i] = raw.async().publish(channel, body);
    }
    for (RedisFuture<?> future : sent) {
      future.toCompletableFuture().join();
    }
  }

  /**
   * Raw lettuce with automatic flushing off: the 64 commands are written with one flush, as
   * redis-benchmark's pipelining does. Not what the driver does today; the ceiling of doing so.
   */
  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OperationsPerInvocation(WINDOW)
  public void lettucePublishOneFlush() {
    RedisFuture<?>[] sent = new RedisFuture<?>[WINDOW];
    batched.setAutoFlushCommands(false);
    for (int i = 0; i < WINDOW; i++) {
      sent[i] = batched.async().publish(channel, body);
    }
    batched.flushCommands();
    for (RedisFuture<?> future : sent) {
      future.toCompletableFuture().join();
    }
  }

  /** The whole broadcast() of a ShouldBroadcastNow event, serialization included, waiting for Redis. */
  @Benchmark
  @BenchmarkMode(Mode.SampleTime)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public void broadcastNowLatency() {
    broadcaster.broadcast(now).join();
  }

  @Benchmark
  @BenchmarkMode(Mode.SampleTime)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public Long lettuceSyncPublishLatency() {
    return raw.sync().publish(channel, nowBody);
  }
}
