package dev.broadcasting.benchmarks;

import dev.broadcasting.Broadcaster;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

/**
 * The queued path: 4 producer threads call {@code broadcast()} while core's dispatch threads hand
 * the events to a driver that does nothing (goal: at least a million events a second on 2 cores).
 * Events go to {@code channels} different channels in turn: with 1, core's per-channel order makes
 * every event wait for the one before it; with 1024 they are independent.
 *
 * <p>The queue is bounded (10,000 events, the default), and producers wait when it is full, so in
 * steady state the rate of accepted events is the rate of delivered ones; an iteration can
 * overcount by at most the 10,000 events still queued at its end.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(4)
public class DispatcherBenchmark {
  @Param({"1", "1024"})
  public int channels;
  private OrderShipped[] events;
  private Broadcaster broadcaster;

  @Setup
  public void setUp() {
    events = new OrderShipped[channels];
    for (int i = 0; i < channels; i++) {
      events[i] = OrderShipped.sample(i);
    }
    broadcaster = Broadcaster.builder().connection("memory", new InMemoryDriver())
        .blockWhenFull(Duration.ofMinutes(1))
        .build();
  }

  @TearDown
  public void tearDown() {
    broadcaster.close();
  }

  @Benchmark
  public CompletableFuture<Void> broadcastQueued(Producer producer) {
    return broadcaster.broadcast(events[producer.next(channels)]);
  }

  /** Each producer walks the channels on its own, so that no counter is shared between producers. */
  @State(Scope.Thread)
  public static class Producer {
    private int index;

    int next(int bound) {
      int current = index;
      index = current + 1 == bound ? 0 : current + 1;
      return current;
    }
  }
}
