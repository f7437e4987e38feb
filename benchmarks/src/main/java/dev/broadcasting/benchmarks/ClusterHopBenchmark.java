package dev.broadcasting.benchmarks;

import dev.broadcasting.Channel;
import dev.broadcasting.server.App;
import dev.broadcasting.server.BroadcastServer;
import dev.broadcasting.server.redis.RedisBackplane;
import dev.broadcasting.spi.BroadcastDriver;
import dev.broadcasting.spi.BroadcastMessage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The latency a cluster hop adds: one event published through node A's {@code server} driver
 * until a WebSocket client receives it, the client on node B (through Redis), on node A itself,
 * and on a server with no backplane. One event in flight at a time; JMH samples each.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ClusterHopBenchmark {
  private RedisProcess redis;
  private BroadcastServer single;
  private BroadcastServer nodeA;
  private BroadcastServer nodeB;
  private BroadcastDriver singleDriver;
  private BroadcastDriver driverA;
  private Client onSingle;
  private Client onA;
  private Client onB;
  private BroadcastMessage toSingle;
  private BroadcastMessage toSame;
  private BroadcastMessage toHop;

  /** A JDK WebSocket subscribed to one channel; each event frame it receives goes in a queue. */
  static final class Client implements WebSocket.Listener {
    final BlockingQueue<String> frames = new LinkedBlockingQueue<>();
    private final StringBuilder partial = new StringBuilder();
    final WebSocket socket;

    Client(int port, String channel) throws Exception {
      socket = HttpClient.newHttpClient().newWebSocketBuilder()
          .buildAsync(URI.create("ws://127.0.0.1:" + port + "/app/bench-key?protocol=7"), this).join();
      take("pusher:connection_established");
      socket.sendText("{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":\"" + channel + "\"}}", true).join();
      take("pusher_internal:subscription_succeeded");
    }

    String take(String event) throws InterruptedException {
      String frame = frames.poll(10, TimeUnit.SECONDS);
      if (frame == null || !frame.contains(event)) {
        throw new IllegalStateException("expected " + event + " but got " + frame);
      }
      return frame;
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        frames.add(partial.toString());
        partial.setLength(0);
      }
      webSocket.request(1);
      return null;
    }
  }

  @Setup
  public void setUp() throws Exception {
    redis = RedisProcess.start();
    String uri = "redis://127.0.0.1:" + redis.port();
    single = server(null);
    nodeA = server(RedisBackplane.builder(uri).nodeId("bench-a").build());
    nodeB = server(RedisBackplane.builder(uri).nodeId("bench-b").build());
    singleDriver = single.driver("1");
    driverA = nodeA.driver("1");
    onSingle = new Client(single.port(), "single");
    onA = new Client(nodeA.port(), "same");
    onB = new Client(nodeB.port(), "hop");
    String payload = "{\"id\":42,\"status\":\"shipped\"}";
    toSingle = BroadcastMessage.of("Shipped", List.of(Channel.of("single")), payload);
    toSame = BroadcastMessage.of("Shipped", List.of(Channel.of("same")), payload);
    toHop = BroadcastMessage.of("Shipped", List.of(Channel.of("hop")), payload);
  }

  /** A server on a free loopback port for app 1, key {@code bench-key}; one node of a cluster with a backplane. */
  static BroadcastServer server(RedisBackplane backplane) {
    BroadcastServer.Builder builder = BroadcastServer.builder().host("127.0.0.1").port(0)
        .app(App.builder("1", "bench-key", "bench-secret").build());
    if (backplane != null) {
      builder.backplane(backplane);
    }
    return builder.build().start();
  }

  @TearDown
  public void tearDown() throws Exception {
    for (AutoCloseable closeable : new AutoCloseable[] {single, nodeA, nodeB, redis}) {
      if (closeable != null) {
        closeable.close();
      }
    }
  }

  /** No backplane: the path every cluster figure is compared with. */
  @Benchmark
  public String singleNode() throws Exception {
    singleDriver.publish(toSingle);
    return onSingle.take("Shipped");
  }

  /** Published on node A, received on node A: the same-node path of a cluster (a PUBLISH goes out too). */
  @Benchmark
  public String clusterSameNode() throws Exception {
    driverA.publish(toSame);
    return onA.take("Shipped");
  }

  /** Published on node A, received on node B, through Redis. */
  @Benchmark
  public String clusterHop() throws Exception {
    driverA.publish(toHop);
    return onB.take("Shipped");
  }
}
