package dev.broadcasting.redis.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.broadcasting.BroadcastException;
import dev.broadcasting.Channel;
import dev.broadcasting.resp.internal.RespEndpoint;
import dev.broadcasting.resp.internal.RespLink;
import dev.broadcasting.spi.BroadcastMessage;
import io.lettuce.core.RedisURI;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The socket against a server that reads everything and answers nothing: its timeout and its bound. */
class PublishSocketTest {
  private static final Duration TIMEOUT = Duration.ofMillis(400);
  private static final Duration UNHURRIED = Duration.ofSeconds(30);

  private static BroadcastMessage message(String channel) {
    return BroadcastMessage.of("E", List.of(new Channel(channel)), "{}");
  }

  /** Accepts connections and swallows what they send, never answering. */
  private static ServerSocket silentServer() throws Exception {
    ServerSocket server = new ServerSocket(0);
    Thread accept = new Thread(() -> {
      while (!server.isClosed()) {
        try {
          Socket client = server.accept();
          Thread drain = new Thread(() -> {
            try (InputStream in = client.getInputStream()) {
              in.transferTo(java.io.OutputStream.nullOutputStream());
            } catch (Exception ignored) {
              // the test closed it
            }
          });
          drain.setDaemon(true);
          drain.start();
        } catch (Exception e) {
          return;
        }
      }
    });
    accept.setDaemon(true);
    accept.start();
    return server;
  }

  /** A plain connection to {@code server}: no password, no database, no PING (it would wait for the answer). */
  private static RespLink open(ServerSocket server) throws java.io.IOException {
    return new RespEndpoint(RedisURI.create("redis://127.0.0.1:" + server.getLocalPort()), null, TIMEOUT).open();
  }

  /**
   * A socket whose commands wait {@code timeout} for their answer: {@link #TIMEOUT} where the test
   * waits for it, much longer where the test asserts that commands are still waiting, so that a
   * loaded machine's pause cannot time them out between the send and the assertion.
   */
  private static PublishSocket socket(ServerSocket server, OrderFence fence, int maxUnanswered, Duration timeout) {
    PublishSocket socket = new PublishSocket(() -> open(server), new RedisFailures("test", timeout), fence, timeout,
        maxUnanswered, System::nanoTime, PublishSocket.THREAD_PER_ATTEMPT);
    socket.connect();
    return socket;
  }

  private static List<CompletableFuture<Void>> send(PublishSocket socket, OrderFence fence, BroadcastMessage... messages) {
    return socket.send(java.util.Arrays.stream(messages).map(List::of).toList(), (batch, i) -> RespCommands.publish(
        batch, false, messages[i].channels().get(0).name().getBytes(StandardCharsets.UTF_8), new byte[] {'x'}));
  }

  @Test
  void aCommandNotAnsweredWithinTheTimeoutFailsAsRetryableAndFencesItsChannel() throws Exception {
    OrderFence fence = new OrderFence("test", System::nanoTime);
    try (ServerSocket server = silentServer(); PublishSocket socket = socket(server, fence, 16, TIMEOUT)) {
      BroadcastMessage first = message("orders");
      CompletableFuture<Void> sent = send(socket, fence, first).get(0);

      Throwable error = catchThrowable(() -> sent.get(10, TimeUnit.SECONDS));
      assertThat(error).isInstanceOf(ExecutionException.class).cause().isInstanceOf(BroadcastException.class)
          .hasMessageContaining("No answer from Redis at test within PT0.4S");
      assertThat(((BroadcastException) error.getCause()).isRetryable()).isTrue();
      // the channel is fenced: the next event on it is refused until the failed one is sent again
      assertThat(fence.admit(message("orders"), fence.next())).isNotNull();
      assertThat(fence.admit(first, fence.next())).isNull();
    }
  }

  @Test
  void refusesCommandsBeyondTheBoundOfUnansweredOnesWithoutSendingThem() throws Exception {
    OrderFence fence = new OrderFence("test", System::nanoTime);
    try (ServerSocket server = silentServer(); PublishSocket socket = socket(server, fence, 2, UNHURRIED)) {
      List<CompletableFuture<Void>> two = send(socket, fence, message("a"), message("b"));
      List<CompletableFuture<Void>> third = send(socket, fence, message("c"));

      Throwable error = catchThrowable(() -> third.get(0).get(1, TimeUnit.SECONDS));
      assertThat(error.getCause()).isInstanceOf(BroadcastException.class)
          .hasMessageStartingWith("More than 2 publishes are waiting for Redis's answer");
      assertThat(((BroadcastException) error.getCause()).isRetryable()).isTrue();
      assertThat(two).noneMatch(CompletableFuture::isDone);
    }
  }

  /**
   * Core stops counting a cancelled command at once; the socket keeps it until Redis answers. The
   * bound is checked as core counts, so sends after a cancel are not refused, and cancelled commands
   * take room beyond it up to as many again, past which a send is refused, retryable and fenced.
   */
  @Test
  void cancelledCommandsDoNotCountAgainstTheBoundButTakeRoomUpToAsManyAgain() throws Exception {
    OrderFence fence = new OrderFence("test", System::nanoTime);
    try (ServerSocket server = silentServer(); PublishSocket socket = socket(server, fence, 2, UNHURRIED)) {
      List<CompletableFuture<Void>> first = send(socket, fence, message("a"), message("b"));
      first.forEach(sent -> assertThat(sent.cancel(true)).isTrue());

      List<CompletableFuture<Void>> second = send(socket, fence, message("c"), message("d"));
      assertThat(second).as("within the bound as core counts it").noneMatch(CompletableFuture::isDone);
      CompletableFuture<Void> third = send(socket, fence, message("e")).get(0);
      assertThat(catchThrowable(third::join).getCause()).isInstanceOf(BroadcastException.class)
          .hasMessageStartingWith("More than 2 publishes are waiting for Redis's answer");

      second.forEach(sent -> sent.cancel(true));
      CompletableFuture<Void> fourth = send(socket, fence, message("f")).get(0);
      BroadcastException full = (BroadcastException) catchThrowable(fourth::join).getCause();
      assertThat(full).hasMessageStartingWith("4 publishes are waiting for Redis's answer, 4 of them cancelled; "
          + "this one was not sent");
      assertThat(full.isRetryable()).isTrue();
      assertThat(fence.admit(message("f"), fence.next())).as("its channel is fenced").isNotNull();
    }
  }

  @Test
  void closingFailsTheUnansweredCommandsAndRefusesLaterOnes() throws Exception {
    OrderFence fence = new OrderFence("test", System::nanoTime);
    AtomicLong connects = new AtomicLong();
    try (ServerSocket server = silentServer()) {
      PublishSocket socket = new PublishSocket(() -> {
        connects.incrementAndGet();
        return open(server);
      }, new RedisFailures("test", TIMEOUT), fence, Duration.ofSeconds(30), 16, System::nanoTime,
          PublishSocket.THREAD_PER_ATTEMPT);
      socket.connect();
      CompletableFuture<Void> open = send(socket, fence, message("a")).get(0);

      socket.close();

      assertThat(catchThrowable(() -> open.get(5, TimeUnit.SECONDS)).getCause())
          .hasMessageContaining("the driver was closed");
      CompletableFuture<Void> after = send(socket, fence, message("b")).get(0);
      assertThat(catchThrowable(() -> after.get(5, TimeUnit.SECONDS)).getCause())
          .hasMessage("The Redis driver is closed");
      assertThat(connects).hasValue(1);
    }
  }

  @Test
  void afterAFailedConnectTheNextAttemptWaitsTwentyMillisecondsDoublingUpToOneSecond() throws Exception {
    AtomicLong now = new AtomicLong();
    AtomicLong attempts = new AtomicLong();
    OrderFence fence = new OrderFence("test", now::get);
    PublishSocket socket = new PublishSocket(() -> {
      attempts.incrementAndGet();
      throw new java.net.ConnectException("Connection refused");
    }, new RedisFailures("test", TIMEOUT), fence, TIMEOUT, 16, now::get, Runnable::run); // the attempt at once, on the sender
    List<Long> attemptedAt = new ArrayList<>();
    for (long millis = 0; millis <= 3_000; millis++) {
      now.set(TimeUnit.MILLISECONDS.toNanos(millis));
      long before = attempts.get();
      CompletableFuture<Void> sent = send(socket, fence, message("m" + millis)).get(0);
      assertThat(catchThrowable(sent::join).getCause()).hasMessage("Redis at test is unreachable: Connection refused");
      if (attempts.get() > before) {
        attemptedAt.add(millis);
      }
    }

    assertThat(attemptedAt).containsExactly(0L, 20L, 60L, 140L, 300L, 620L, 1_260L, 2_260L);
  }

  @Test
  void aConnectThatHangsDoesNotHoldTheSenderWhoseEventsFailAtOnceFencedUntilTheLinkIsUp() throws Exception {
    OrderFence fence = new OrderFence("test", System::nanoTime);
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicLong connects = new AtomicLong();
    try (ServerSocket server = silentServer();
        PublishSocket socket = new PublishSocket(() -> {
          connects.incrementAndGet();
          entered.countDown();
          try {
            release.await(); // a host that drops the packets: the connect hangs
          } catch (InterruptedException e) {
            throw new java.io.InterruptedIOException();
          }
          return open(server);
        }, new RedisFailures("test", TIMEOUT), fence, Duration.ofSeconds(30), 16, System::nanoTime,
            PublishSocket.THREAD_PER_ATTEMPT)) {
      BroadcastMessage first = message("orders");
      CompletableFuture<Void> sent = send(socket, fence, first).get(0);

      assertThat(sent).as("failed on the sender's thread, not waiting for the connect").isCompletedExceptionally();
      BroadcastException error = (BroadcastException) catchThrowable(sent::join).getCause();
      assertThat(error.isRetryable()).isTrue();
      assertThat(error).hasMessage("Redis at test is unreachable: a new connection is being opened; this publish was "
          + "not sent and will be sent again");
      assertThat(entered.await(5, TimeUnit.SECONDS)).isTrue();
      CompletableFuture<Void> meanwhile = send(socket, fence, message("lobby")).get(0);
      assertThat(meanwhile).as("no second attempt while one is under way").isCompletedExceptionally();
      assertThat(fence.admit(message("orders"), fence.next())).as("its channel is fenced").isNotNull();

      release.countDown();
      socket.connect(); // waits for the attempt under way
      assertThat(send(socket, fence, first).get(0)).as("the resend goes on the new link").isNotDone();
      assertThat(connects).hasValue(1);
    }
  }
}
