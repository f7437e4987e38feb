package dev.broadcasting.queue.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.broadcasting.BroadcastException;
import dev.broadcasting.Channel;
import dev.broadcasting.PresenceChannel;
import dev.broadcasting.PrivateChannel;
import dev.broadcasting.RetryPolicy;
import dev.broadcasting.queue.redis.internal.StreamEntry;
import dev.broadcasting.spi.BroadcastMessage;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StreamEntryTest {

  @Test
  void anEntryReadBackIsTheMessageThatWasWrittenWithItsIdPolicyAndProducer() {
    BroadcastMessage message = BroadcastMessage.of("OrderShipped",
        List.of(new PrivateChannel("orders.1"), new PresenceChannel("room.2"), new Channel("news")),
        "{\"id\":42,\"note\":\"a b\\nc 3:xyz\"}", "123.456", StreamEntryTest.class);
    RetryPolicy policy = RetryPolicy.builder().maxAttempts(7).baseDelay(Duration.ofNanos(500_000))
        .maxDelay(Duration.ofSeconds(3)).deadline(Duration.ofMinutes(4)).build();
    Map<String, String> fields = new StreamEntry("pusher:eu\n1", message, policy, "host-1-ab").fields();
    assertThat(fields).containsOnlyKeys("id", "entry");

    StreamEntry read = StreamEntry.parse("q:p3", "1-0", fields);

    assertThat(read.connection()).isEqualTo("pusher:eu\n1");
    assertThat(read.producer()).isEqualTo("host-1-ab");
    assertThat(read.message().id()).isEqualTo(message.id());
    assertThat(read.message().event()).isEqualTo("OrderShipped");
    assertThat(read.message().channels()).isEqualTo(message.channels());
    assertThat(read.message().channels().get(0)).isInstanceOf(PrivateChannel.class);
    assertThat(read.message().payload()).isEqualTo(message.payload());
    assertThat(read.message().socketId()).isEqualTo("123.456");
    assertThat(read.message().origin()).isEqualTo(StreamEntryTest.class.getName());
    assertThat(read.policy().toString()).isEqualTo(policy.toString());
    assertThat(read.fields()).isEqualTo(fields);
  }

  @Test
  void anAnonymousBroadcastWithoutSocketKeepsBothAbsent() {
    BroadcastMessage message = BroadcastMessage.of("Ping", List.of(new Channel("a")), "{}");
    StreamEntry read = StreamEntry.parse("q:p0", "1-0",
        new StreamEntry("redis", message, RetryPolicy.defaults(), "p").fields());
    assertThat(read.message().socketId()).isNull();
    assertThat(read.message().origin()).isNull();
    assertThat(read.message().describe()).isEqualTo("anonymous event 'Ping'");
  }

  @Test
  void entriesOfDifferentPoliciesInTurnEachReadBackWithTheirOwnAndAOneChannelEntryWithItsChannel() {
    RetryPolicy once = RetryPolicy.builder().maxAttempts(1).build();
    RetryPolicy many = RetryPolicy.builder().maxAttempts(9).deadline(Duration.ofSeconds(90)).build();
    BroadcastMessage message = BroadcastMessage.of("E", List.of(new PrivateChannel("a.1")), "{}");
    for (RetryPolicy policy : List.of(once, many, once, RetryPolicy.defaults(), many)) {
      String written = new StreamEntry("redis", message, policy, "p").encoded();
      StreamEntry read = StreamEntry.parse("q:p0", "1-0", Map.of("id", message.id(), "entry", written));
      assertThat(read.policy().toString()).isEqualTo(policy.toString());
      assertThat(read.message().channels()).containsExactly(new PrivateChannel("a.1"));
      assertThat(written).isEqualTo("5:redis1:E11:private-a.10:0:" + (text(policy).length()) + ":" + text(policy)
          + "1:p2:{}");
    }
  }

  private static String text(RetryPolicy policy) {
    return policy.maxAttempts() + " " + policy.baseDelay().toNanos() + " " + policy.maxDelay().toNanos() + " "
        + policy.deadline().toNanos();
  }

  @Test
  void anEntryThatIsNotABroadcastIsNamedWithWhatIsMissing() {
    assertThatThrownBy(() -> StreamEntry.parse("q:p1", "5-1", Map.of("id", "x", "connection", "redis")))
        .isInstanceOf(BroadcastException.class)
        .hasMessage("Entry 5-1 of stream q:p1 is not a queued broadcast (field 'entry' is missing); was it "
            + "written by this library's RedisStreamQueue?");
    assertThatThrownBy(() -> StreamEntry.parse("q:p1", "5-2", Map.of("id", "x", "entry", "5:redis1:E")))
        .hasMessageContaining("(field 'entry' has 2 parts instead of 8)");
    assertThatThrownBy(() -> StreamEntry.parse("q:p1", "5-3", Map.of("id", "x", "entry", "5:redis2:E")))
        .hasMessageContaining("(field 'entry' is cut short in part 2 of 8)");
  }

  @Test
  void thePartitionIsTheFirstChannelsHashTheSameInEveryJvm() {
    BroadcastMessage message = BroadcastMessage.of("E", List.of(new Channel("orders.1"), new Channel("x")), "{}");
    // String.hashCode is specified (s[0]*31^(n-1) + ... + s[n-1]): 1234322280 = 8 * 154290285
    assertThat("orders.1".hashCode()).isEqualTo(1234322280);
    assertThat(StreamEntry.partition(message, 8)).isZero();
    assertThat(StreamEntry.partition(BroadcastMessage.of("E", List.of(new Channel("orders.1")), "{}"), 8))
        .isEqualTo(StreamEntry.partition(message, 8));
  }
}
