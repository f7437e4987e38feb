package dev.broadcasting.queue.redis;

import dev.broadcasting.Broadcaster;
import java.util.concurrent.CountDownLatch;

/**
 * A worker-only process: builds the broadcaster from the environment, with
 * {@code BROADCAST_QUEUE=redis} and the connections' own variables, and sends what the durable
 * queue holds until it is stopped (SIGTERM drains it, as {@link Broadcaster#close()} does).
 *
 * <pre>{@code
 * BROADCAST_QUEUE=redis BROADCAST_CONNECTION=pusher PUSHER_APP_KEY=... \
 *   java -cp app.jar dev.broadcasting.queue.redis.QueueWorker
 * }</pre>
 */
public final class QueueWorker {
  private QueueWorker() {}

  public static void main(String[] args) throws InterruptedException {
    if (System.getenv("BROADCAST_QUEUE") == null || !System.getenv("BROADCAST_QUEUE").equals("redis")) {
      System.err.println("QueueWorker sends what the durable queue holds: set BROADCAST_QUEUE=redis "
          + "(and BROADCAST_QUEUE_REDIS_URL or REDIS_URL)");
      System.exit(2);
    }
    Broadcaster broadcaster = Broadcaster.fromEnvironment();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      broadcaster.close();
      stopped.countDown();
    }, "broadcasting-queue-worker-stop"));
    System.out.println("QueueWorker running");
    stopped.await();
  }
}
