package dev.broadcasting.pusher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.broadcasting.Broadcaster;
import dev.broadcasting.Channel;
import dev.broadcasting.RetryPolicy;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Core's attempt timeout and close reach the HTTP call itself: the peer sees the connection of a
 * timed-out request closed before the retry arrives, and the driver's threads end at close.
 */
class PusherCancellationTest {

  /**
   * A TCP peer that never answers its first request and answers 200 to the others, noting when each
   * connection opened and when the client closed it.
   */
  static final class SilentFirstPeer implements AutoCloseable {
    final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    final List<String> events = new CopyOnWriteArrayList<>();
    private final Thread acceptor = new Thread(this::serve, "silent-first-peer");

    SilentFirstPeer() throws Exception {
      acceptor.setDaemon(true);
      acceptor.start();
    }

    private void serve() {
      int connection = 0;
      while (!server.isClosed()) {
        try {
          Socket socket = server.accept();
          int number = ++connection;
          if (number > 1) {
            // the client closed the previous connection before opening this one, then its FIN came
            // first, but the thread that notes it may run later: a second is ample for that, and
            // far less than the 4 s read timeout that would close it without the cancellation
            awaitNoted("closed " + (number - 1), 1_000);
          }
          events.add("open " + number);
          Thread handler = new Thread(() -> handle(socket, number));
          handler.setDaemon(true);
          handler.start();
        } catch (Exception closed) {
          return;
        }
      }
    }

    private void awaitNoted(String event, long millis) throws InterruptedException {
      long giveUp = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
      while (!events.contains(event) && System.nanoTime() < giveUp) {
        Thread.sleep(1);
      }
    }

    private void handle(Socket socket, int number) {
      try (socket; InputStream in = socket.getInputStream(); OutputStream out = socket.getOutputStream()) {
        readRequest(in);
        if (number == 1) {
          while (in.read() != -1) {
            // say nothing; wait for the client to give up on the request
          }
          events.add("closed " + number);
          return;
        }
        events.add("answering " + number);
        out.write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"
            .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        while (in.read() != -1) {
          // keep the connection until the client closes it
        }
      } catch (Exception e) {
        events.add("closed " + number);
      }
    }

    private static void readRequest(InputStream in) throws Exception {
      StringBuilder head = new StringBuilder();
      while (!head.toString().endsWith("\r\n\r\n")) {
        int b = in.read();
        if (b == -1) {
          throw new java.io.EOFException();
        }
        head.append((char) b);
      }
      String lengthLine = head.toString().lines().filter(l -> l.toLowerCase().startsWith("content-length:"))
          .findFirst().orElse("content-length: 0");
      in.readNBytes(Integer.parseInt(lengthLine.substring(15).trim()));
    }

    PusherBroadcastDriver.Builder driver() {
      return PusherBroadcastDriver.builder().appId("3").key("k").secret("s")
          .host("127.0.0.1").port(server.getLocalPort()).scheme("http").readTimeout(Duration.ofSeconds(4));
    }

    @Override
    public void close() throws Exception {
      server.close();
    }
  }

  @Test
  void anAttemptTimeoutClosesTheRequestBeforeTheRetryStarts() throws Exception {
    try (SilentFirstPeer peer = new SilentFirstPeer();
        Broadcaster broadcaster = Broadcaster.builder().connection("pusher", peer.driver().build())
            .attemptTimeout(Duration.ofMillis(400))
            .retry(RetryPolicy.builder().maxAttempts(2).baseDelay(Duration.ofMillis(200)).build()).build()) {
      broadcaster.on(new Channel("orders")).as("E").send().get(10, TimeUnit.SECONDS);
      // with the 4 s read timeout alone, connection 1 would still be open when the retry arrives
      assertThat(peer.events).startsWith("open 1", "closed 1", "open 2", "answering 2");
    }
  }

  @Test
  void closeCancelsTheOpenCallAndTheDriversThreadsEnd() throws Exception {
    try (SilentFirstPeer peer = new SilentFirstPeer()) {
      Broadcaster broadcaster = Broadcaster.builder().connection("pusher", peer.driver().build())
          .drainTimeout(Duration.ofMillis(300)).build();
      CompletableFuture<Void> sent = broadcaster.on(new Channel("orders")).as("E").send();
      while (!peer.events.contains("open 1")) {
        Thread.onSpinWait();
      }
      assertThat(driverThreads()).isNotEmpty().allMatch(Thread::isDaemon);
      broadcaster.close();
      assertThat(sent).isCompletedExceptionally();
      long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while ((!driverThreads().isEmpty() || !peer.events.contains("closed 1")) && System.nanoTime() < giveUp) {
        Thread.sleep(10);
      }
      assertThat(driverThreads()).as("the driver's HTTP threads after close").isEmpty();
      assertThat(peer.events).containsExactly("open 1", "closed 1");
    }
  }

  /** OkHttp names a thread after its call while it runs one, and gives the name back after. */
  private static List<Thread> driverThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && (t.getName().startsWith("broadcasting-pusher-http-")
            || t.getName().startsWith("OkHttp http://127.0.0.1")))
        .collect(Collectors.toList());
  }
}
