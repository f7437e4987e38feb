package dev.broadcasting.queue.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.broadcasting.queue.redis.internal.QueueSettings;
import dev.broadcasting.queue.redis.internal.StreamWriter;
import dev.broadcasting.queue.redis.internal.WriteConnection;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.api.sync.RedisCommands;
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

  private static QueueSettings settings(String prefix, long maxLength, Duration timeout) {
    return new QueueSettings(prefix, 1, maxLength, 100, Duration.ofSeconds(10), Duration.ofSeconds(5), 256,
        Duration.ZERO, 1_000, timeout, false, 1_000);
  }

  private static boolean store(StreamWriter writer, String id) throws Exception {
    return writer.stored(writer.write(0, id, "entry-" + id));
  }

  @Test
  void eightProducerThreadsShareCallsAndEachThreadsEntriesAreStoredInItsOrder() throws Exception {
    try (RedisNode redis = RedisNode.start();
        StreamWriter writer = new StreamWriter(settings("shared", 100_000, Duration.ofSeconds(5)),
            new WriteConnection(RedisURI.create(redis.uri()), Duration.ofSeconds(5)))) {
      RedisClient client = RedisClient.create(redis.uri());
      try (var connection = client.connect()) {
        RedisCommands<String, String> admin = connection.sync();
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
      } finally {
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      }
    }
  }

  @Test
  void thePasswordAndDatabaseOfTheUriAreUsedAndAScriptTheServerForgotIsSentWhole() throws Exception {
    try (RedisNode redis = RedisNode.start("--requirepass", "s3cret")) {
      String uri = "redis://:s3cret@127.0.0.1:" + redis.port() + "/3";
      RedisClient client = RedisClient.create(uri);
      try (var connection = client.connect();
          StreamWriter writer = new StreamWriter(settings("db", 10, Duration.ofSeconds(5)),
              new WriteConnection(RedisURI.create(uri), Duration.ofSeconds(5)))) {
        assertThat(store(writer, "a")).isTrue();
        connection.sync().scriptFlush();
        assertThat(store(writer, "b")).isTrue();

        assertThat(connection.sync().xlen("db:p0")).as("in database 3").isEqualTo(2);
        connection.sync().select(0);
        assertThat(connection.sync().exists("db:p0")).isZero();
      } finally {
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      }
    }
  }

  @Test
  void aFullPartitionRefusesAndAWrongPasswordFailsAtOnceSayingSo() throws Exception {
    try (RedisNode redis = RedisNode.start("--requirepass", "s3cret");
        StreamWriter writer = new StreamWriter(settings("full", 1, Duration.ofSeconds(5)),
            new WriteConnection(RedisURI.create("redis://:s3cret@127.0.0.1:" + redis.port()), Duration.ofSeconds(5)));
        StreamWriter wrong = new StreamWriter(settings("full", 1, Duration.ofSeconds(5)),
            new WriteConnection(RedisURI.create("redis://:guess@127.0.0.1:" + redis.port()), Duration.ofSeconds(5)))) {
      assertThat(store(writer, "first")).isTrue();
      assertThat(store(writer, "second")).as("maxLength 1").isFalse();

      long start = System.nanoTime();
      assertThatThrownBy(() -> store(wrong, "x")).isInstanceOf(ExecutionException.class)
          .hasMessageStartingWith("Redis refused AUTH: WRONGPASS");
      assertThat(Duration.ofNanos(System.nanoTime() - start)).as("not retried until the timeout")
          .isLessThan(Duration.ofSeconds(4));
    }
  }

  @Test
  void aServerThatDoesNotAnswerTimesTheWriteOut() throws Exception {
    try (RedisNode redis = RedisNode.start();
        StreamWriter writer = new StreamWriter(settings("paused", 10, Duration.ofMillis(300)),
            new WriteConnection(RedisURI.create(redis.uri()), Duration.ofMillis(300)))) {
      RedisClient client = RedisClient.create(redis.uri());
      try (var connection = client.connect()) {
        assertThat(store(writer, "before")).isTrue();
        connection.async().clientPause(2_000);

        assertThatThrownBy(() -> store(writer, "during")).isInstanceOf(TimeoutException.class);
      } finally {
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      }
    }
  }

  private static long calls(String commandStats) {
    return commandStats.lines().filter(line -> line.startsWith("cmdstat_evalsha:")).mapToLong(line ->
        Long.parseLong(line.substring(line.indexOf("calls=") + 6, line.indexOf(',')))).sum();
  }
}
