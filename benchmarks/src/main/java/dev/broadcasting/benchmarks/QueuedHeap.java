package dev.broadcasting.benchmarks;

import dev.broadcasting.Broadcaster;
import dev.broadcasting.spi.BroadcastDriver;
import dev.broadcasting.spi.BroadcastMessage;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The heap one queued event keeps alive: fills a broadcaster's queue with {@code N} events whose
 * driver never answers, measures the used heap after a full GC before and after, and divides.
 * Two shapes: every event on one channel (all but the first wait behind it, as events of one
 * channel do), and events spread over 1024 channels (one in flight per channel, with its attempt
 * timeout scheduled, the rest waiting behind it). The events themselves (the 5-field record) stay reachable as the message's source,
 * so they are counted; the payload JSON is 98 characters.
 *
 * <pre>{@code java -cp benchmarks/target/benchmarks.jar dev.broadcasting.benchmarks.QueuedHeap [events]}</pre>
 */
public final class QueuedHeap {
  private QueuedHeap() {}

  public static void main(String[] args) throws Exception {
    int events = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    for (int round = 0; round < 3; round++) {
      // the first round warms up class loading and the JIT; the other two are reported
      double oneChannel = perEvent(events, 1);
      double manyChannels = perEvent(events, OrderShipped.CHANNEL_COUNT);
      if (round > 0) {
        System.out.printf(Locale.ROOT, "round %d: %d events queued: %.0f bytes each on 1 channel, "
            + "%.0f bytes each over %d channels%n", round, events, oneChannel, manyChannels, OrderShipped.CHANNEL_COUNT);
      }
    }
  }

  private static double perEvent(int events, int channels) throws InterruptedException {
    StalledDriver driver = new StalledDriver();
    OrderShipped[] samples = new OrderShipped[channels];
    for (int i = 0; i < channels; i++) {
      samples[i] = OrderShipped.sample(i);
    }
    Broadcaster broadcaster = Broadcaster.builder().connection("stalled", driver)
        .queueCapacity(events + 1).dispatchThreads(2).failWhenFull()
        .attemptTimeout(Duration.ofMinutes(10)).drainTimeout(Duration.ZERO).build();
    // one event first, so that the dispatcher's threads and maps exist before the baseline
    broadcaster.broadcast(samples[0]);
    OrderShipped[] fresh = new OrderShipped[events];
    for (int i = 0; i < events; i++) {
      fresh[i] = new OrderShipped(samples[i % channels].orderId(), "UPS", "1Z999AA10123456784", 3, 12.5);
    }
    long before = usedAfterGc();
    for (int i = 0; i < events; i++) {
      // the returned future is dropped, as fire-and-forget callers do; the queue still holds it
      broadcaster.broadcast(fresh[i]);
    }
    fresh = null;
    long after = usedAfterGc();
    if (broadcaster.queueDepth() < events) {
      throw new IllegalStateException("only " + broadcaster.queueDepth() + " events were queued");
    }
    driver.release();
    broadcaster.close();
    return (double) (after - before) / events;
  }

  private static long usedAfterGc() throws InterruptedException {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 5; i++) {
      System.gc();
      Thread.sleep(50);
      used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
    }
    return used;
  }

  /** Holds every message unanswered until released: the driver of a service that has stopped answering. */
  private static final class StalledDriver implements BroadcastDriver {
    private final ConcurrentLinkedQueue<CompletableFuture<Void>> pending = new ConcurrentLinkedQueue<>();

    @Override
    public CompletableFuture<Void> publish(BroadcastMessage message) {
      CompletableFuture<Void> answer = new CompletableFuture<>();
      pending.add(answer);
      return answer;
    }

    void release() {
      for (CompletableFuture<Void> answer; (answer = pending.poll()) != null; ) {
        answer.complete(null);
      }
    }
  }
}
