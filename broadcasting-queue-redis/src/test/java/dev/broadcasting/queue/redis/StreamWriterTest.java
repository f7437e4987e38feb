package dev.broadcasting.queue.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.broadcasting.queue.redis.internal.QueueSettings;
import dev.broadcasting.queue.redis.internal.StreamWriter;
import dev.broadcasting.queue.redis.internal.WriteConnection;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SslOptions;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.api.sync.RedisCommands;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/** The writer's group commits on its own connection, against a real redis-server. */
class StreamWriterTest {

  /** A writer of one partition, {@code prefix:p0}, holding at most {@code maxLength} entries. */
  private static StreamWriter writer(String uri, String prefix, long maxLength, Duration timeout) {
    return writer(uri, SslOptions.create(), prefix, maxLength, timeout);
  }

  /** The same, over TLS with {@code ssl} when {@code uri} is a {@code rediss://} one. */
  static StreamWriter writer(String uri, SslOptions ssl, String prefix, long maxLength, Duration timeout) {
    return new StreamWriter(new QueueSettings(prefix, 1, maxLength, 100, Duration.ofSeconds(10), Duration.ofSeconds(5),
        256, Duration.ZERO, 1_000, timeout, false, 1_000), new WriteConnection(RedisURI.create(uri), ssl, timeout));
  }

  private interface AdminUse {
    void run(RedisCommands<String, String> admin) throws Exception;
  }

  /** Runs {@code use} with a lettuce connection of its own to {@code uri}. */
  private static void withAdmin(String uri, AdminUse use) throws Exception {
    RedisClient client = RedisClient.create(uri);
    try (var connection = client.connect()) {
      use.run(connection.sync());
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }

  static boolean store(StreamWriter writer, String id) throws Exception {
    return writer.stored(writer.write(0, id, "entry-" + id));
  }

  @Test
  void eightProducerThreadsShareCallsAndEachThreadsEntriesAreStoredInItsOrder() throws Exception {
    try (RedisNode redis = RedisNode.start();
        StreamWriter writer = writer(redis.uri(), "shared", 100_000, Duration.ofSeconds(5))) {
      withAdmin(redis.uri(), admin -> {
        admin.configResetstat();
        List<CompletableFuture<Void>> producers = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
          int thread = t;
          producers.add(CompletableFuture.runAsync(() -> {
            for (int n = 0; n < 250; n++) {
              try {
                assertThat(store(writer, thread + ":" + n)).isTrue();
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            }
          }, task -> new Thread(task).start()));
        }
        CompletableFuture.allOf(producers.toArray(CompletableFuture[]::new)).get();

        List<StreamMessage<String, String>> stored = admin.xrange("shared:p0", io.lettuce.core.Range.unbounded());
        assertThat(stored).hasSize(2_000);
        Map<String, Integer> lastOf = new HashMap<>();
        for (StreamMessage<String, String> entry : stored) {
          String[] id = entry.getBody().get("id").split(":");
          int previous = lastOf.getOrDefault(id[0], -1);
          assertThat(Integer.parseInt(id[1])).as("thread %s's entries in order", id[0]).isEqualTo(previous + 1);
          lastOf.put(id[0], previous + 1);
          assertThat(entry.getBody().get("entry")).isEqualTo("entry-" + entry.getBody().get("id"));
        }
        long calls = calls(admin.info("commandstats"));
        assertThat(calls).as("script calls for 2,000 entries from 8 threads").isBetween(250L, 1_999L);
      });
    }
  }

  @Test
  void thePasswordAndDatabaseOfTheUriAreUsedAndAScriptTheServerForgotIsSentWhole() throws Exception {
    try (RedisNode redis = RedisNode.start("--requirepass", "s3cret")) {
      String uri = "redis://:s3cret@127.0.0.1:" + redis.port() + "/3";
      try (StreamWriter writer = writer(uri, "db", 10, Duration.ofSeconds(5))) {
        withAdmin(uri, admin -> {
          assertThat(store(writer, "a")).isTrue();
          admin.scriptFlush();
          assertThat(store(writer, "b")).isTrue();

          assertThat(admin.xlen("db:p0")).as("in database 3").isEqualTo(2);
          admin.select(0);
          assertThat(admin.exists("db:p0")).isZero();
        });
      }
    }
  }

  @Test
  void withASentinelUriTheEntriesGoToTheMasterItNames() throws Exception {
    Path dir = Files.createTempDirectory("queue-sentinel-");
    int port = RedisNode.freePort();
    try (RedisNode master = RedisNode.start()) {
      Path config = Files.writeString(dir.resolve("sentinel.conf"), "port " + port + "\nbind 127.0.0.1\n"
          + "sentinel monitor orders 127.0.0.1 " + master.port() + " 1\n");
      Process sentinel = new ProcessBuilder("redis-server", config.toString(), "--sentinel").redirectErrorStream(true)
          .redirectOutput(dir.resolve("log").toFile()).start();
      try (StreamWriter writer = writer("redis-sentinel://127.0.0.1:" + port + "#orders", "watched", 10,
          Duration.ofSeconds(5))) {
        assertThat(store(writer, "a")).as("retried while the Sentinel starts").isTrue();
        withAdmin(master.uri(), admin -> assertThat(admin.xlen("watched:p0")).isEqualTo(1));
      } finally {
        sentinel.destroyForcibly().waitFor();
      }
    }
  }

  @Test
  void aFullPartitionRefusesAndAWrongPasswordFailsAtOnceSayingSo() throws Exception {
    try (RedisNode redis = RedisNode.start("--requirepass", "s3cret");
        StreamWriter writer = writer("redis://:s3cret@127.0.0.1:" + redis.port(), "full", 1, Duration.ofSeconds(5));
        StreamWriter wrong = writer("redis://:guess@127.0.0.1:" + redis.port(), "full", 1, Duration.ofSeconds(30))) {
      assertThat(store(writer, "first")).isTrue();
      assertThat(store(writer, "second")).as("maxLength 1").isFalse();

      long start = System.nanoTime();
      assertThatThrownBy(() -> store(wrong, "x")).isInstanceOf(ExecutionException.class)
          .hasMessageStartingWith("Redis refused AUTH: WRONGPASS");
      assertThat(Duration.ofNanos(System.nanoTime() - start)).as("not retried until the timeout of 30 s")
          .isLessThan(Duration.ofSeconds(15));
    }
  }

  @Test
  void aServerThatDoesNotAnswerTimesTheWriteOut() throws Exception {
    try (RedisNode redis = RedisNode.start();
        StreamWriter writer = writer(redis.uri(), "paused", 10, Duration.ofMillis(300))) {
      withAdmin(redis.uri(), admin -> {
        assertThat(store(writer, "before")).isTrue();
        admin.clientPause(2_000);

        assertThatThrownBy(() -> store(writer, "during")).isInstanceOf(TimeoutException.class);
      });
    }
  }

  private static long calls(String commandStats) {
    return commandStats.lines().filter(line -> line.startsWith("cmdstat_evalsha:")).mapToLong(line ->
        Long.parseLong(line.substring(line.indexOf("calls=") + 6, line.indexOf(',')))).sum();
  }
}
