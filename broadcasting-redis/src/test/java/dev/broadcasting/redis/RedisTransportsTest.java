package dev.broadcasting.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.broadcasting.BroadcastException;
import dev.broadcasting.Channel;
import dev.broadcasting.resp.TlsRedisFiles;
import dev.broadcasting.spi.BroadcastMessage;
import io.lettuce.core.RedisClient;
import io.lettuce.core.SslOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The driver over TLS and over a Unix socket, on its publish socket and through lettuce, against a
 * real redis-server that listens on a TLS port with a self-signed certificate for {@code localhost}
 * only, and on a socket in a temporary directory.
 */
class RedisTransportsTest {
  private static TlsRedisFiles tls;
  private static RedisServer redis;
  private static int tlsPort;
  private static Path socket;

  @BeforeAll
  static void start() throws Exception {
    tls = TlsRedisFiles.make();
    tlsPort = tls.tlsPort();
    socket = tls.socket();
    redis = RedisServer.start(tls.serverArgs());
  }

  @AfterAll
  static void stop() {
    redis.close();
  }

  /** Trusts the server's self-signed certificate, and nothing else. */
  private static SslOptions trusting() {
    return tls.trusting();
  }

  @Test
  void theSocketAcceptsAndRefusesTheServersCertificateExactlyAsLettuceDoesForEveryVerifyMode() {
    tls.assertVerifiesAsLettuce("the publish socket",
        (uri, ssl) -> publishes(RedisBroadcastDriver.builder().uri(uri).sslOptions(ssl)));
  }

  @Test
  void theDriversLettucePathAcceptsAndRefusesTheServersCertificateExactlyAsLettuceDoes() {
    tls.assertVerifiesAsLettuce("the driver through lettuce",
        (uri, ssl) -> publishes(RedisBroadcastDriver.builder().uri(uri).sslOptions(ssl).publishSocket(false)));
  }

  private static boolean publishes(RedisBroadcastDriver.Builder builder) {
    try (RedisBroadcastDriver driver = builder.commandTimeout(Duration.ofSeconds(5)).build()) {
      driver.publish(message("tls", 0)).get(10, TimeUnit.SECONDS);
      return true;
    } catch (BroadcastException refused) {
      return false;
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void aCertificateForAnotherHostIsRefusedAtStartUpNamingTheHostAndNotRetryable() {
    Throwable error = catchThrowable(() -> RedisBroadcastDriver.builder().uri("rediss://127.0.0.1:" + tlsPort)
        .sslOptions(trusting()).build());

    assertThat(error).isInstanceOf(BroadcastException.class)
        .hasMessageStartingWith("Cannot start the redis broadcast driver: Cannot connect to Redis at rediss://127.0.0.1:"
            + tlsPort + ": Redis's certificate at 127.0.0.1:" + tlsPort + " was refused (verifyPeer=FULL): ")
        .hasMessageEndingWith("use the host name the certificate names, or lower verifyPeer in the URI");
    assertThat(((BroadcastException) error).isRetryable()).isFalse();
  }

  @Test
  void overTlsEventsArriveInOrderAlsoAfterTheReaderIdledPastTheCommandTimeout() throws Exception {
    try (RedisSubscriber subscriber = RedisSubscriber.pattern(redis.port(), "*");
        RedisBroadcastDriver driver = RedisBroadcastDriver.builder().uri("rediss://localhost:" + tlsPort)
            .sslOptions(trusting()).commandTimeout(Duration.ofMillis(200)).build()) {
      allOf(driver.publishBatch(List.of(message("tls.a", 1), message("tls.b", 2))));
      // the reader wakes every 50 ms with a read timeout: the TLS socket must stay good through them
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(400));
      allOf(driver.publishBatch(List.of(message("tls.a", 3))));

      assertThat(subscriber.settle(redis.port())).extracting(r -> r.channel() + " " + r.text()).containsExactly(
          "tls.a {\"event\":\"Seq\",\"data\":{\"n\":1},\"socket\":null}",
          "tls.b {\"event\":\"Seq\",\"data\":{\"n\":2},\"socket\":null}",
          "tls.a {\"event\":\"Seq\",\"data\":{\"n\":3},\"socket\":null}");
    }
  }

  @Test
  void aRedisSocketUriPublishesOnItsDatabaseAlsoAfterTheReaderIdledPastTheCommandTimeout() throws Exception {
    try (RedisSubscriber subscriber = RedisSubscriber.pattern(redis.port(), "*");
        RedisBroadcastDriver driver = RedisBroadcastDriver.builder().uri("redis-socket://" + socket + "?database=2")
            .commandTimeout(Duration.ofMillis(200)).build()) {
      allOf(driver.publishBatch(List.of(message("unix.a", 1), message("unix.b", 2))));
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(400));
      allOf(driver.publishBatch(List.of(message("unix.a", 3))));

      RedisClient admin = RedisClient.create(redis.uri());
      try (var connection = admin.connect()) {
        assertThat(connection.sync().clientList().lines()).as("the driver's connection")
            .anyMatch(client -> client.contains("addr=" + socket + ":") && client.contains(" db=2 "));
      } finally {
        admin.shutdown();
      }

      assertThat(subscriber.settle(redis.port())).extracting(r -> r.channel() + " " + r.text()).containsExactly(
          "unix.a {\"event\":\"Seq\",\"data\":{\"n\":1},\"socket\":null}",
          "unix.b {\"event\":\"Seq\",\"data\":{\"n\":2},\"socket\":null}",
          "unix.a {\"event\":\"Seq\",\"data\":{\"n\":3},\"socket\":null}");
    }
  }

  private static BroadcastMessage message(String channel, int n) {
    return BroadcastMessage.of("Seq", List.of(new Channel(channel)), "{\"n\":" + n + "}");
  }

  private static void allOf(List<CompletableFuture<Void>> sent) throws Exception {
    CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
  }
}
