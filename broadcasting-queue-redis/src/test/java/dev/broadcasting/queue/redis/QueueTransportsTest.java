package dev.broadcasting.queue.redis;

import static dev.broadcasting.queue.redis.StreamWriterTest.store;
import static dev.broadcasting.queue.redis.StreamWriterTest.writer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.broadcasting.Broadcaster;
import dev.broadcasting.Channel;
import io.lettuce.core.RedisClient;
import io.lettuce.core.SslOptions;
import io.netty.util.internal.logging.InternalLoggerFactory;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The queue over TLS and over a Unix socket, against a real redis-server that listens on a TLS port
 * with a self-signed certificate for {@code localhost} only, and on a socket in a temporary
 * directory. Events are delivered through the real redis driver to a second server.
 */
class QueueTransportsTest {
  private static TlsRedis redis;
  private static RedisNode delivery;
  private static int tlsPort;
  private static Path certificate;
  private static Path socket;

  @BeforeAll
  static void start() throws Exception {
    redis = TlsRedis.start();
    tlsPort = redis.tlsPort();
    certificate = redis.certificate();
    socket = redis.socket();
    delivery = RedisNode.start();
  }

  @AfterAll
  static void stop() throws Exception {
    redis.close();
    delivery.close();
  }

  /** Trusts the server's self-signed certificate, and nothing else. */
  private static SslOptions trusting() {
    return redis.files().trusting();
  }

  @Test
  void theWriterAcceptsAndRefusesTheServersCertificateExactlyAsLettuceDoesForEveryVerifyMode() {
    redis.files().assertVerifiesAsLettuce("the writer", QueueTransportsTest::writes);
  }

  private static boolean writes(String uri, SslOptions ssl) {
    try (var writer = writer(uri, ssl, "modes", 1_000, Duration.ofSeconds(5))) {
      return store(writer, "x");
    } catch (ExecutionException refused) {
      return false;
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void fullVerificationOfATrustedCertificateMadeForAnotherHostIsRefusedAtOnceNamingTheHost() {
    try (var writer = writer("rediss://127.0.0.1:" + tlsPort, trusting(), "named", 10, Duration.ofSeconds(30))) {
      long start = System.nanoTime();
      assertThatThrownBy(() -> store(writer, "x")).isInstanceOf(ExecutionException.class)
          .hasMessageStartingWith("Redis's certificate at 127.0.0.1:" + tlsPort + " was refused (verifyPeer=FULL): ")
          .hasMessageContaining("No subject alternative names matching IP address 127.0.0.1 found")
          .hasMessageEndingWith("use the host name the certificate names, or lower verifyPeer in the URI");
      assertThat(Duration.ofNanos(System.nanoTime() - start)).as("not retried until the timeout of 30 s")
          .isLessThan(Duration.ofSeconds(15));
    }
  }

  @Test
  void withVerifyPeerNoneTheSelfSignedServerStoresTheEventsAndTheyAreDelivered() throws Exception {
    assertDeliveredOnceInOrderThrough(RedisStreamQueue.builder().uri("rediss://127.0.0.1:" + tlsPort + "?verifyPeer=NONE")
        .prefix("none"));
  }

  @Test
  void withFullVerificationTheRightHostAndTheQueuesTrustStoreTheEventsAreDelivered() throws Exception {
    assertDeliveredOnceInOrderThrough(RedisStreamQueue.builder().uri("rediss://localhost:" + tlsPort).sslOptions(trusting())
        .prefix("full"));
  }

  @Test
  void aRedisSocketUriStoresTheEventsInItsDatabaseAndTheyAreDelivered() throws Exception {
    assertDeliveredOnceInOrderThrough(RedisStreamQueue.builder().uri("redis-socket://" + socket + "?database=2").prefix("unix"));
    RedisClient client = RedisClient.create(redis.node().uri());
    try (var admin = client.connect()) {
      assertThat(admin.sync().exists("unix:p0", "unix:p1")).as("in database 0").isZero();
      admin.sync().select(2);
      assertThat(admin.sync().exists("unix:p0", "unix:p1")).as("in database 2").isEqualTo(2);
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }

  @Test
  void aRedisSocketQueueLogsNoWarningAsItsConnectionsOpen() throws Exception {
    PrintStream console = System.err;
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
    try {
      InternalLoggerFactory.getInstance(QueueTransportsTest.class).warn("the capture sees netty's warnings");
      assertDeliveredOnceInOrderThrough(RedisStreamQueue.builder().uri("redis-socket://" + socket).prefix("quiet"));
    } finally {
      System.setErr(console);
      console.print(log.toString(StandardCharsets.UTF_8));
    }
    List<String> warnings = log.toString(StandardCharsets.UTF_8).lines().filter(line -> line.contains(" WARN ")).toList();
    assertThat(warnings).containsExactly("[main] WARN " + QueueTransportsTest.class.getName()
        + " - the capture sees netty's warnings");
  }

  /** Through a queue of 2 partitions, see {@link #assertDeliversOnceInOrder}. */
  private static void assertDeliveredOnceInOrderThrough(RedisStreamQueue.Builder builder) throws Exception {
    try (RedisStreamQueue queue = builder.partitions(2).build();
        Broadcaster broadcaster = Broadcaster.builder()
            .connection("redis", "redis", Map.of("REDIS_URL", delivery.uri())).queue(queue).build()) {
      assertDeliversOnceInOrder(broadcaster, delivery.uri());
    }
  }

  /** 100 events on 3 channels through {@code broadcaster}: each delivered once to the Redis at {@code to}, in order per channel. */
  static void assertDeliversOnceInOrder(Broadcaster broadcaster, String to) throws Exception {
    int total = 100;
    try (Received received = new Received(to)) {
      List<CompletableFuture<Void>> sent = new ArrayList<>();
      for (int n = 0; n < total; n++) {
        sent.add(broadcaster.on(new Channel("orders." + n % 3)).as("Seq").with(Map.of("n", n)).send());
      }
      CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);

      List<Received.Message> messages = received.awaitAll(total, Duration.ofSeconds(30));
      assertThat(received.missing(total)).as("events never delivered").isEmpty();
      assertThat(messages).as("each once").hasSize(total);
      QueueCrashIT.assertOrderedPerChannel(messages);
    }
  }

  @Test
  void aServerPausedBehindTheSocketTimesTheWriteOutRatherThanHoldingTheWriter() throws Exception {
    Path dir = Files.createTempDirectory("queue-paused-");
    Path paused = dir.resolve("redis.sock");
    try (RedisNode node = RedisNode.start("--unixsocket", paused.toString());
        var writer = writer("redis-socket://" + paused, SslOptions.create(), "paused", 10, Duration.ofMillis(300))) {
      assertThat(store(writer, "before")).isTrue();
      RedisClient client = RedisClient.create(node.uri());
      try (var admin = client.connect()) {
        admin.sync().clientPause(2_000);
      } finally {
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      }

      assertThatThrownBy(() -> store(writer, "during")).isInstanceOf(TimeoutException.class);
    }
  }
}
