package dev.broadcasting.benchmarks;

import dev.broadcasting.Channel;
import dev.broadcasting.server.App;
import dev.broadcasting.server.BroadcastServer;
import dev.broadcasting.spi.BroadcastDriver;
import dev.broadcasting.spi.BroadcastMessage;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
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
 * The cost of recovery's history per event on {@code broadcasting-server}: an event published with
 * the in-process driver to a channel that keeps history (1,000 events) next to the same event to a
 * channel that does not, one WebSocket-less server, no subscribers (so the difference is the
 * history alone). {@link #main} measures the heap one kept event retains.
 *
 * <pre>{@code benchmarks/run.sh --short HistoryBenchmark
 * java -cp benchmarks/target/benchmarks.jar dev.broadcasting.benchmarks.HistoryBenchmark}</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class HistoryBenchmark {
  private static final String DATA = "{\"orderId\":\"ord-000042\",\"carrier\":\"UPS\",\"tracking\":\"1Z999AA10123456784\","
      + "\"items\":3,\"total\":12.5}";

  private BroadcastServer server;
  private BroadcastDriver driver;
  private final BroadcastMessage withHistory = BroadcastMessage.of("OrderShipped", List.of(Channel.of("kept.1")), DATA);
  private final BroadcastMessage withoutHistory = BroadcastMessage.of("OrderShipped", List.of(Channel.of("plain.1")), DATA);

  @Setup
  public void start() {
    server = start(1000, 1);
    driver = server.driver("1");
  }

  private static BroadcastServer start(int maxEvents, int maxChannels) {
    return BroadcastServer.builder().host("127.0.0.1").port(0)
        .app(App.builder("1", "key", "secret").history("kept.*", maxEvents, Duration.ofHours(1))
            .maxHistoryChannels(maxChannels).build())
        .build().start();
  }

  @TearDown
  public void stop() {
    server.close();
  }

  @Benchmark
  public Object publishKeptInHistory() {
    return driver.publish(withHistory).join();
  }

  @Benchmark
  public Object publishWithoutHistory() {
    return driver.publish(withoutHistory).join();
  }

  /** Heap retained per kept event: 100,000 events kept over 100 channels, after a full GC. */
  public static void main(String[] args) {
    int events = 100_000;
    for (int round = 0; round < 3; round++) {
      BroadcastServer server = start(1000, 100);
      BroadcastDriver driver = server.driver("1");
      driver.publish(BroadcastMessage.of("OrderShipped", List.of(Channel.of("plain.1")), DATA)).join();
      long before = usedAfterGc();
      for (int i = 0; i < events; i++) {
        driver.publish(BroadcastMessage.of("OrderShipped", List.of(Channel.of("kept." + (i % 100))), DATA)).join();
      }
      long after = usedAfterGc();
      if (round > 0) {
        System.out.printf(Locale.ROOT, "round %d: %d events kept over 100 channels: %.0f bytes each (message %d chars)%n",
            round, events, (after - before) / (double) events, DATA.length());
      }
      server.close();
    }
  }

  private static long usedAfterGc() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }
}
