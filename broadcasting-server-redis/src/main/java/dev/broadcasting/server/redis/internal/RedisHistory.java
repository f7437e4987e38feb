package dev.broadcasting.server.redis.internal;

import dev.broadcasting.server.HistoryRule;
import dev.broadcasting.server.spi.SharedApp.Kept;
import io.lettuce.core.ScriptOutputType;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One app's history channels in Redis Streams, shared by every node (see {@code history.lua}): a
 * channel's events get their offsets in Redis, in the same script that publishes them, so all
 * nodes deliver the same position for an event and in the same order.
 *
 * <pre>{@code
 * history.append("news", rule, envelopeHead, frame);   // offset given, kept, published
 * history.read("news", rule, "k2x9", 40L, 100);        // what came after offset 40
 * }</pre>
 */
final class RedisHistory {
  private final RedisNode node;
  private final String channelPrefix;

  /** {@code channelPrefix}: the start of the app's pub/sub channel names, without braces. */
  RedisHistory(RedisNode node, String channelPrefix) {
    this.node = node;
    this.channelPrefix = channelPrefix;
  }

  /** Keeps {@code frame} and publishes it as {@code envelopeHead\nepoch\noffset\nframe}; answers its offset. */
  CompletableFuture<Long> append(String channel, HistoryRule rule, String envelopeHead, String frame) {
    return node.historyScript.run(ScriptOutputType.INTEGER, keys(channel), "append",
        Integer.toString(rule.maxEvents()), Long.toString(rule.timeToLive().toMillis()), newEpoch(),
        channelPrefix + channel, node.links.publishCommand(), envelopeHead, frame);
  }

  /** What came after {@code offset}; waits for the command connection first if it is down ({@link RedisNode#whenCommandsOpen}). */
  CompletableFuture<Kept> read(String channel, HistoryRule rule, String epoch, Long offset, int limit) {
    CompletableFuture<List<Object>> read = node.whenCommandsOpen().thenCompose(open -> node.historyScript.run(
        ScriptOutputType.MULTI, keys(channel), "read", Integer.toString(rule.maxEvents()),
        Long.toString(rule.timeToLive().toMillis()), newEpoch(), epoch == null ? "" : epoch,
        offset == null ? "" : Long.toString(offset), Integer.toString(limit)));
    return read.thenApply(answer -> {
      List<String> frames = new ArrayList<>(answer.size() - 3);
      for (int i = 3; i < answer.size(); i++) {
        frames.add((String) answer.get(i));
      }
      String reason = (String) answer.get(0);
      return new Kept(reason.isEmpty() ? null : reason, (String) answer.get(1), (Long) answer.get(2), frames);
    });
  }

  /**
   * The channel's position and events, hash-tagged with its pub/sub channel's whole name, which has
   * no braces: on a Redis Cluster they are on the shard that publishes the channel's events.
   */
  private String[] keys(String channel) {
    String tag = "{" + channelPrefix + channel + "}";
    return new String[] {tag + ":position", tag + ":events"};
  }

  /** An epoch for a stream begun anew: random, so a lost stream's positions never match the new one. */
  private static String newEpoch() {
    return Long.toString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, 36);
  }
}
