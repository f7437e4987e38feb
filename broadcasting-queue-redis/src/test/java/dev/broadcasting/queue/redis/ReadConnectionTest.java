package dev.broadcasting.queue.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.broadcasting.BroadcastException;
import dev.broadcasting.queue.redis.internal.ReadConnection;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SslOptions;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XReadArgs.StreamOffset;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The worker's reads on its own blocking connection, against a real redis-server. */
class ReadConnectionTest {
  private static final String GROUP = "workers";

  private interface AdminUse {
    void run(RedisCommands<String, String> admin, ReadConnection reads) throws Exception;
  }

  /** A fresh server with streams {@code s0} and {@code s1} and their group, a lettuce admin and a read connection. */
  private static void withServer(AdminUse use) throws Exception {
    try (RedisNode redis = RedisNode.start();
        ReadConnection reads = new ReadConnection(RedisURI.create(redis.uri()), SslOptions.create(),
            Duration.ofSeconds(5))) {
      RedisClient client = RedisClient.create(redis.uri());
      try (var connection = client.connect()) {
        RedisCommands<String, String> admin = connection.sync();
        for (String stream : List.of("s0", "s1")) {
          admin.xgroupCreate(StreamOffset.from(stream, "0-0"), GROUP, XGroupCreateArgs.Builder.mkstream());
        }
        use.run(admin, reads);
      } finally {
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      }
    }
  }

  @Test
  void aReadGivesEachStreamsNewEntriesWithTheirFieldsAndABlockingReadThatTimesOutGivesNone() throws Exception {
    withServer((admin, reads) -> {
      String a = admin.xadd("s0", Map.of("id", "a", "entry", "1:x"));
      String b = admin.xadd("s1", Map.of("id", "b", "entry", "ünïcode ✓"));
      String c = admin.xadd("s0", Map.of("id", "c", "entry", ""));

      List<StreamMessage<String, String>> read = reads.read(GROUP, "me", 10, Duration.ofMillis(10),
          List.of("s0", "s1"), List.of(">", ">"));

      assertThat(read).extracting(StreamMessage::getStream, StreamMessage::getId, StreamMessage::getBody)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple("s0", a, Map.of("id", "a", "entry", "1:x")),
              org.assertj.core.groups.Tuple.tuple("s0", c, Map.of("id", "c", "entry", "")),
              org.assertj.core.groups.Tuple.tuple("s1", b, Map.of("id", "b", "entry", "ünïcode ✓")));
      assertThat(admin.xpending("s0", GROUP).getCount()).as("read into the consumer's pending list").isEqualTo(2);
      assertThat(reads.read(GROUP, "me", 10, Duration.ofMillis(10), List.of("s0", "s1"), List.of(">", ">")))
          .as("nothing new: the blocking read times out").isEmpty();
    });
  }

  @Test
  void aPendingEntryDeletedSinceComesBackWithoutFieldsWhenTheConsumerReadsItsHistory() throws Exception {
    withServer((admin, reads) -> {
      String kept = admin.xadd("s0", Map.of("id", "kept", "entry", "1:k"));
      String deleted = admin.xadd("s0", Map.of("id", "gone", "entry", "1:g"));
      reads.read(GROUP, "me", 10, null, List.of("s0"), List.of(">"));
      admin.xdel("s0", deleted);

      List<StreamMessage<String, String>> history = reads.read(GROUP, "me", 10, null, List.of("s0"), List.of("0-0"));

      assertThat(history).extracting(StreamMessage::getId).containsExactly(kept, deleted);
      assertThat(history.get(0).getBody()).containsEntry("id", "kept");
      assertThat(history.get(1).getBody()).isEmpty();
    });
  }

  @Test
  void aMissingGroupFailsWithRedissOwnWords() throws Exception {
    withServer((admin, reads) -> {
      admin.del("s1");
      assertThatThrownBy(() -> reads.read(GROUP, "me", 10, null, List.of("s1"), List.of(">")))
          .isInstanceOf(BroadcastException.class).hasMessageContaining("NOGROUP");
    });
  }

  /**
   * At most once: a read on a connection Redis closed fails rather than being sent again on a new
   * one (a read sent again reads past what the lost answer held); the next read connects again.
   */
  @Test
  void aReadOnABrokenConnectionFailsAndTheNextOneConnectsAgain() throws Exception {
    withServer((admin, reads) -> {
      String first = admin.xadd("s0", Map.of("id", "1", "entry", "1:a"));
      assertThat(reads.read(GROUP, "me", 10, null, List.of("s0"), List.of(">"))).extracting(StreamMessage::getId)
          .containsExactly(first);
      String second = admin.xadd("s0", Map.of("id", "2", "entry", "1:b"));
      assertThat(admin.clientKill(io.lettuce.core.KillArgs.Builder.skipme()))
          .as("the read connection closed by the server").isEqualTo(1);

      assertThatThrownBy(() -> reads.read(GROUP, "me", 10, null, List.of("s0"), List.of(">")))
          .isInstanceOf(BroadcastException.class).hasMessageContaining("Redis failed");
      assertThat(reads.read(GROUP, "me", 10, null, List.of("s0"), List.of(">"))).extracting(StreamMessage::getId)
          .as("the failed read was not sent").containsExactly(second);
    });
  }
}
