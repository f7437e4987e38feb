package dev.broadcasting.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.broadcasting.resp.internal.RespEndpoint;
import dev.broadcasting.resp.internal.RespLink;
import dev.broadcasting.resp.internal.RespWriter;
import io.lettuce.core.RedisURI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The ceiling's bare group commit: every thread's command is sent once and every answer reaches its own thread. */
class DurableWriteCeilingTest {
  private static final int THREADS = 8;
  private static final int EACH = 500;

  @Test
  void eachThreadGetsTheAnswersToItsOwnCommandsInOrder() throws Exception {
    try (RedisProcess redis = RedisProcess.start();
        RespLink link = new RespEndpoint(RedisURI.create("redis://127.0.0.1:" + redis.port()), null,
            Duration.ofSeconds(5)).open();
        DurableWriteCeiling.GroupCommit commit = new DurableWriteCeiling.GroupCommit(
            new RespEndpoint(RedisURI.create("redis://127.0.0.1:" + redis.port()), null, Duration.ofSeconds(5))
                .open())) {
      List<CompletableFuture<List<Object>>> threads = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        RespWriter command = new RespWriter(64);
        command.command("INCR", "counter-" + t);
        byte[] incr = command.toByteArray();
        threads.add(CompletableFuture.supplyAsync(() -> {
          List<Object> answers = new ArrayList<>();
          try {
            for (int i = 0; i < EACH; i++) {
              answers.add(commit.write(incr));
            }
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
          return answers;
        }, runnable -> new Thread(runnable).start()));
      }
      List<Object> expected = new ArrayList<>();
      for (long i = 1; i <= EACH; i++) {
        expected.add(i);
      }
      for (int t = 0; t < THREADS; t++) {
        // INCR answers 1, 2, 3, ... to its own counter: a mixed-up or lost answer breaks the sequence
        assertEquals(expected, threads.get(t).get(30, TimeUnit.SECONDS), "thread " + t);
        assertEquals(Integer.toString(EACH), link.call("GET", "counter-" + t));
      }
    }
  }
}
