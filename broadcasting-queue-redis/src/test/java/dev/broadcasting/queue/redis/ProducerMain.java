package dev.broadcasting.queue.redis;

import dev.broadcasting.Broadcaster;
import dev.broadcasting.Channel;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * A producer process for the crash tests: broadcasts {@code total} events over {@code channels}
 * channels through the queue the environment names, each carrying its sequence number {@code n},
 * prints {@code accepted <total>} once every {@code broadcast} call has returned, and then waits to
 * be killed, without closing the broadcaster.
 */
public final class ProducerMain {
  private ProducerMain() {}

  public static void main(String[] args) throws InterruptedException {
    int total = Integer.parseInt(args[0]);
    int channels = Integer.parseInt(args[1]);
    Broadcaster broadcaster = Broadcaster.fromEnvironment();
    for (int n = 0; n < total; n++) {
      CompletableFuture<Void> sent = broadcaster.on(new Channel("orders." + n % channels)).as("Seq")
          .with(Map.of("n", n)).send();
      if (sent.isCompletedExceptionally()) {
        System.out.println("refused " + n + ": " + sent.handle((ok, e) -> e.getMessage()).join());
        System.exit(1);
      }
    }
    System.out.println("accepted " + total);
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }
}
