package dev.broadcasting.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.broadcasting.BroadcastException;
import dev.broadcasting.internal.DriverRegistry;
import dev.broadcasting.spi.DriverSettings;
import dev.broadcasting.Channel;
import dev.broadcasting.spi.BroadcastMessage;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Connecting, failing and closing against real servers: what happens when Redis is absent at
 * start-up, goes away while running, refuses the password, or belongs to the application.
 */
class RedisConnectionTest {
  private static final BroadcastMessage HELLO = BroadcastMessage.of("Hello", List.of(new Channel("hello")), "{}");

  @Test
  void failsAtBuildNamingTheAddressWhenRedisIsDown() throws Exception {
    int port = RedisServer.freePort(false);

    Throwable error = catchThrowable(() -> RedisBroadcastDriver.builder().uri("redis://127.0.0.1:" + port).build());

    assertThat(error).isInstanceOf(BroadcastException.class)
        .hasMessageContaining("redis://127.0.0.1:" + port)
        .hasMessageContaining("lazyConnect()");
    assertThat(((BroadcastException) error).isRetryable()).isTrue();
  }

  @Test
  void lazyConnectWaitsForTheFirstBroadcastAndRecoversWhenRedisArrives() throws Exception {
    int port = RedisServer.freePort(false);
    try (RedisBroadcastDriver driver = RedisBroadcastDriver.builder().uri("redis://127.0.0.1:" + port)
        .lazyConnect().build()) {
      BroadcastException down = failure(driver.publish(HELLO));
      assertThat(down.isRetryable()).isTrue();
      assertThat(down).hasMessageContaining("127.0.0.1:" + port);

      try (RedisServer server = RedisServer.startOn(port);
          RedisSubscriber subscriber = RedisSubscriber.pattern(server.port(), "*")) {
        awaitPublished(driver); // the socket connects on a thread of its own: meanwhile a publish fails retryably
        assertThat(subscriber.settle(server.port())).extracting(RedisSubscriber.Received::text)
            .containsExactly("{\"event\":\"Hello\",\"data\":{},\"socket\":null}");
      }
    }
  }

  @Test
  void failsFastAndRetryablyWhileRedisIsDownThenPublishesWhenItIsBack() throws Exception {
    try (RedisServer server = RedisServer.start();
        // a long timeout: the failure below must come from the rejected command, not from waiting
        RedisBroadcastDriver driver = RedisBroadcastDriver.builder().uri(server.uri())
            .commandTimeout(Duration.ofMinutes(5)).build()) {
      driver.publish(HELLO).get(10, TimeUnit.SECONDS);
      server.kill();

      BroadcastException error = failure(driver.publish(HELLO));
      assertThat(error.isRetryable()).isTrue();
      assertThat(error).hasMessageContaining(server.uri().replace("redis://", ""));

      server.restart();
      try (RedisSubscriber subscriber = RedisSubscriber.pattern(server.port(), "*")) {
        awaitPublished(driver);
        assertThat(subscriber.settle(server.port())).isNotEmpty();
      }
    }
  }

  @Test
  void refusedPasswordIsNotRetryableAndNeverShown() throws Exception {
    try (RedisServer server = RedisServer.start("--requirepass", "right-horse-battery")) {
      Throwable error = catchThrowable(() -> RedisBroadcastDriver.builder()
          .uri("redis://:wrong-staple-secret@127.0.0.1:" + server.port()).build());

      assertThat(error).isInstanceOf(BroadcastException.class).hasMessageContaining("127.0.0.1:" + server.port());
      assertThat(((BroadcastException) error).isRetryable()).isFalse();
      assertThat(describeAll(error)).doesNotContain("wrong-staple-secret").doesNotContain("right-horse-battery");

      try (RedisBroadcastDriver driver = RedisBroadcastDriver.builder()
          .uri("redis://:right-horse-battery@127.0.0.1:" + server.port()).build()) {
        driver.publish(HELLO).get(10, TimeUnit.SECONDS);
        assertThat(driver.toString()).doesNotContain("right-horse-battery");
      }
    }
  }

  /**
   * Start-up against a server with requirepass: a wrong password, and none at all, each name the
   * authentication failure and the setting to fix, without the advice for a server that is down.
   */
  @Test
  void startUpWithAWrongOrMissingPasswordNamesTheSettingToFix() throws Exception {
    try (RedisServer server = RedisServer.start("--requirepass", "right-horse-battery")) {
      String address = "127.0.0.1:" + server.port();
      Throwable wrong = catchThrowable(() -> RedisBroadcastDriver.builder()
          .uri("redis://:wrong-staple-secret@" + address).build());
      Throwable missing = catchThrowable(() -> DriverRegistry.create("redis", DriverSettings.of(Map.of(
          "REDIS_HOST", "127.0.0.1", "REDIS_PORT", String.valueOf(server.port())))));

      assertThat(wrong).isInstanceOf(BroadcastException.class).hasMessage("Cannot start the redis broadcast driver: "
          + "Redis at redis://" + address + " refused the password: authentication failed (WRONGPASS invalid "
          + "username-password pair or user is disabled). Set REDIS_PASSWORD (and REDIS_USERNAME for an ACL user), "
          + "or the password in REDIS_URL or the builder's uri(\"redis://[user]:password@host:port\"), to the "
          + "server's password");
      assertThat(missing).isInstanceOf(BroadcastException.class).hasMessage("Cannot start the redis broadcast "
          + "driver: Redis at redis://" + address + " requires a password and none was given: "
          + "authentication failed (NOAUTH). Set REDIS_PASSWORD (and REDIS_USERNAME for an ACL user), or the password in "
          + "REDIS_URL or the builder's uri(\"redis://[user]:password@host:port\"), to the server's password");
      for (Throwable error : List.of(wrong, missing)) {
        assertThat(((BroadcastException) error).isRetryable()).isFalse();
        assertThat(describeAll(error)).doesNotContain("wrong-staple-secret").doesNotContain("right-horse-battery");
      }
    }
  }

  @Test
  void closeLeavesTheApplicationsClientWorking() throws Exception {
    try (RedisServer server = RedisServer.start()) {
      RedisURI uri = RedisURI.create(server.uri());
      RedisClient client = RedisClient.create();
      client.setOptions(ClientOptions.builder()
          .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS).build());
      try (StatefulRedisConnection<String, String> own = client.connect(uri)) {
        RedisBroadcastDriver driver = RedisBroadcastDriver.builder().client(client, uri).build();
        driver.publish(HELLO).get(10, TimeUnit.SECONDS);
        driver.close();
        driver.close();

        assertThat(own.sync().ping()).isEqualTo("PONG");
        try (StatefulRedisConnection<String, String> fresh = client.connect(uri)) {
          assertThat(fresh.sync().ping()).isEqualTo("PONG");
        }
        BroadcastException closed = failure(driver.publish(HELLO));
        assertThat(closed).hasMessageContaining("closed");
        assertThat(closed.isRetryable()).isFalse();
      } finally {
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      }
    }
  }

  @Test
  void builderNamesWhatIsWrong() {
    assertThatThrownBy(() -> RedisBroadcastDriver.builder().build())
        .hasMessageContaining("uri(\"redis://localhost:6379\")");
    assertThatThrownBy(() -> RedisBroadcastDriver.builder().uri("redis://a:1").cluster("redis://b:2"))
        .hasMessageContaining("already given as uri(redis://a:1)");
    assertThatThrownBy(() -> RedisBroadcastDriver.builder().uri("http://:hunter2@x:1"))
        .hasMessageContaining("http://****@x:1").hasMessageNotContaining("hunter2");
    assertThatThrownBy(() -> RedisBroadcastDriver.builder().prefix("my app"))
        .hasMessageContaining("prefix \"my app\" has ' ' at index 2");
    assertThatThrownBy(() -> RedisBroadcastDriver.builder().commandTimeout(Duration.ZERO))
        .hasMessageContaining("commandTimeout must be positive but was PT0S");
    assertThatThrownBy(() -> RedisBroadcastDriver.builder().cluster(List.of()))
        .hasMessageContaining("at least one seed");
  }

  /**
   * An error reply to one PUBLISH of a batch (an ACL without the channel: NOPERM) fails that
   * event at once and for good, and the others of the same write are delivered.
   */
  @Test
  void anErrorReplyFailsItsEventAtOnceAndNotRetryably() throws Exception {
    try (RedisServer server = RedisServer.start();
        RedisClient admin = RedisClient.create(server.uri());
        StatefulRedisConnection<String, String> connection = admin.connect()) {
      connection.sync().dispatch(io.lettuce.core.protocol.CommandType.ACL,
          new io.lettuce.core.output.StatusOutput<>(io.lettuce.core.codec.StringCodec.UTF8),
          new io.lettuce.core.protocol.CommandArgs<>(io.lettuce.core.codec.StringCodec.UTF8)
              .add("SETUSER").add("app").add("on").add(">secret").add("~*").add("+@all").add("resetchannels")
              .add("&allowed"));
      try (RedisBroadcastDriver driver = RedisBroadcastDriver.builder()
          .uri("redis://app:secret@127.0.0.1:" + server.port()).commandTimeout(Duration.ofMinutes(5)).build();
          RedisSubscriber subscriber = RedisSubscriber.pattern(server.port(), "*")) {
        List<java.util.concurrent.CompletableFuture<Void>> sent = driver.publishBatch(List.of(
            BroadcastMessage.of("A", List.of(new Channel("allowed")), "{\"n\":1}"),
            BroadcastMessage.of("B", List.of(new Channel("forbidden")), "{\"n\":2}"),
            BroadcastMessage.of("C", List.of(new Channel("allowed")), "{\"n\":3}")));

        BroadcastException refused = failure(sent.get(1));
        assertThat(refused).hasMessageContaining("NOPERM");
        assertThat(refused.isRetryable()).isFalse();
        sent.get(0).get(10, TimeUnit.SECONDS);
        sent.get(2).get(10, TimeUnit.SECONDS);
        assertThat(subscriber.settle(server.port())).extracting(RedisSubscriber.Received::text).containsExactly(
            "{\"event\":\"A\",\"data\":{\"n\":1},\"socket\":null}",
            "{\"event\":\"C\",\"data\":{\"n\":3},\"socket\":null}");
      }
    }
  }

  private static void awaitPublished(RedisBroadcastDriver driver) throws Exception {
    // the driver reconnects on a thread of its own; until then each publish fails fast and retryably
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      try {
        driver.publish(HELLO).get(10, TimeUnit.SECONDS);
        return;
      } catch (ExecutionException e) {
        assertThat(e.getCause()).isInstanceOf(BroadcastException.class);
        assertThat(((BroadcastException) e.getCause()).isRetryable()).isTrue();
        if (System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(50);
      }
    }
  }

  private static BroadcastException failure(java.util.concurrent.CompletableFuture<Void> future) throws Exception {
    try {
      future.get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(BroadcastException.class);
      return (BroadcastException) e.getCause();
    }
    throw new AssertionError("the publish succeeded but should have failed");
  }

  private static String describeAll(Throwable error) {
    StringBuilder all = new StringBuilder();
    for (Throwable t = error; t != null; t = t.getCause()) {
      all.append(t).append('\n');
    }
    return all.toString();
  }
}
