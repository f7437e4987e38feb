package dev.broadcasting.redis.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.broadcasting.Channel;
import dev.broadcasting.resp.internal.RespEndpoint;
import dev.broadcasting.spi.BroadcastMessage;
import io.lettuce.core.RedisURI;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A connection that dies on another thread (the sender's write failed, or the driver closed) while
 * its reader still holds answers it has read and not matched yet. Every answer belongs to the
 * command written in its place; a command whose answer never came must fail, never complete as
 * delivered. When the reader and the dying thread took commands from one queue, the dying thread
 * took the commands in order while the reader matched its buffered answers to the next ones left:
 * a command Redis never ran was reported sent, an event lost without a word.
 */
class PublishSocketDyingLinkTest {
  private static final Duration UNHURRIED = Duration.ofSeconds(30);

  @Test
  void answersHeldByTheReaderGoToTheirOwnCommandsWhileTheConnectionDiesElsewhere() throws Exception {
    Thread[] dying = new Thread[1];
    CountDownLatch dyingParked = new CountDownLatch(1);
    CountDownLatch dyingGoesOn = new CountDownLatch(1);
    // the fence's clock is read when the dying thread fences the first command it fails: it waits there
    OrderFence fence = new OrderFence("test", () -> {
      if (Thread.currentThread() == dying[0] && dyingParked.getCount() > 0) {
        dyingParked.countDown();
        await(dyingGoesOn);
      }
      return System.nanoTime();
    });
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      CompletableFuture<Socket> accepted = CompletableFuture.supplyAsync(() -> {
        try {
          return server.accept();
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
      try (PublishSocket socket = new PublishSocket(() -> new RespEndpoint(RedisURI.create("redis://127.0.0.1:"
              + server.getLocalPort()), null, UNHURRIED).open(), new RedisFailures("test", UNHURRIED), fence,
              UNHURRIED, 16, System::nanoTime, PublishSocket.THREAD_PER_ATTEMPT);
          Socket redis = connected(socket, accepted)) {
        List<CompletableFuture<Void>> sent = socket.send(List.of(List.of(message("c0")), List.of(message("c1")),
            List.of(message("c2")), List.of(message("c3"))), (batch, i) -> RespCommands.publish(batch, false,
            ("c" + i).getBytes(StandardCharsets.UTF_8), new byte[] {'x'}));
        readCommands(redis.getInputStream(), 4);

        // the reader stops in the first command's completion, the second answer read with the first
        AtomicReference<Thread> reader = new AtomicReference<>();
        CountDownLatch readerParked = new CountDownLatch(1);
        CountDownLatch readerGoesOn = new CountDownLatch(1);
        sent.get(0).whenComplete((ok, error) -> {
          reader.set(Thread.currentThread());
          readerParked.countDown();
          await(readerGoesOn);
        });
        redis.getOutputStream().write(":1\r\n:1\r\n".getBytes(StandardCharsets.US_ASCII)); // c0 and c1 ran
        redis.getOutputStream().flush();
        assertThat(readerParked.await(10, TimeUnit.SECONDS)).isTrue();

        // the connection dies on another thread, which stops after failing c1
        Thread closer = new Thread(socket::close, "closer");
        dying[0] = closer;
        closer.start();
        assertThat(dyingParked.await(10, TimeUnit.SECONDS)).isTrue();
        // the reader goes on with c1's answer, then finds the link closed and waits for the death under way
        readerGoesOn.countDown();
        awaitBlockedBy(reader.get(), closer);
        dyingGoesOn.countDown();
        closer.join(10_000);

        assertThat(sent.get(0)).isCompleted();
        for (int i = 1; i < 4; i++) {
          CompletableFuture<Void> command = sent.get(i);
          // c1's answer came, but the death settled it first: failed, sent again, at worst a duplicate
          assertThat(command).as(i == 1 ? "c1: failed before its answer was matched" : "c" + i + ": no answer came")
              .isCompletedExceptionally();
          assertThat(catchThrowable(() -> command.get(10, TimeUnit.SECONDS))).isInstanceOf(ExecutionException.class)
              .cause().hasMessageContaining("the driver was closed");
        }
      }
    }
  }

  private static Socket connected(PublishSocket socket, CompletableFuture<Socket> accepted) throws Exception {
    socket.connect();
    return accepted.get(10, TimeUnit.SECONDS);
  }

  private static BroadcastMessage message(String channel) {
    return BroadcastMessage.of("E", List.of(new Channel(channel)), "{}");
  }

  /** Reads until {@code count} commands (each a RESP array of PUBLISH) have arrived. */
  private static void readCommands(InputStream in, int count) throws Exception {
    StringBuilder read = new StringBuilder();
    byte[] buffer = new byte[4096];
    while (read.toString().split("PUBLISH", -1).length - 1 < count) {
      int n = in.read(buffer);
      assertThat(n).as("the socket's commands").isPositive();
      read.append(new String(buffer, 0, n, StandardCharsets.US_ASCII));
    }
  }

  /** Waits until {@code thread} waits for a monitor {@code owner} holds. */
  private static void awaitBlockedBy(Thread thread, Thread owner) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      ThreadInfo info = ManagementFactory.getThreadMXBean().getThreadInfo(thread.getId());
      if (info != null && info.getThreadState() == Thread.State.BLOCKED && info.getLockOwnerId() == owner.getId()) {
        return;
      }
      assertThat(System.nanoTime()).as(thread.getName() + " waiting for " + owner.getName()).isLessThan(deadline);
      Thread.sleep(1);
    }
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
