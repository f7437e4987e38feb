package dev.broadcasting.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.broadcasting.Broadcaster;
import dev.broadcasting.internal.PayloadSerializer;
import java.util.concurrent.CompletableFuture;
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
 * The cost of {@code broadcast()} itself: a 5-field record through a broadcaster whose driver does
 * nothing, against Jackson serializing the same record alone (goal: at most 1.5 times the bare
 * serialization). Run with {@code -prof gc} for the bytes allocated per broadcast.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class CoreBenchmark {
  private final OrderShipped queued = OrderShipped.sample();
  private final OrderShipped.Now now = OrderShipped.Now.sample();
  private ObjectMapper mapper;
  private Broadcaster broadcaster;

  @Setup
  public void setUp() {
    mapper = PayloadSerializer.defaultMapper();
    broadcaster = Broadcaster.builder().connection("memory", new InMemoryDriver()).build();
  }

  @TearDown
  public void tearDown() {
    broadcaster.close();
  }

  /** The floor: what serializing the record costs with the mapper core uses by default. */
  @Benchmark
  public byte[] jacksonWriteValueAsBytes() throws Exception {
    return mapper.writeValueAsBytes(queued);
  }

  /** What core calls: the payload as a String, which the drivers then encode once. */
  @Benchmark
  public String jacksonWriteValueAsString() throws Exception {
    return mapper.writeValueAsString(queued);
  }

  /** broadcast() of a ShouldBroadcastNow event: serialization, message, driver call, all on this thread. */
  @Benchmark
  public CompletableFuture<Void> broadcastNow() {
    return broadcaster.broadcast(now);
  }
}
