package dev.broadcasting.redis.internal;

import dev.broadcasting.resp.internal.RespWriter;
import dev.broadcasting.spi.BroadcastMessage;
import java.nio.charset.StandardCharsets;

/**
 * A message to one channel as a {@code PUBLISH} (or {@code SPUBLISH}) command, written straight
 * into a batch: the command's head up to the body ({@code *3 $7 PUBLISH $n <prefix><channel>}) is
 * formatted once per channel and kept, and the body follows it ({@link RedisMessageFormat#appendBulk}).
 * The heads are kept in a table of {@value #SLOTS} slots by the channel's hash, the last channel
 * of each slot: a bound, and for the busy channels of an application, a copy per event instead of
 * a string concatenation, an encoding and two arrays.
 *
 * <pre>{@code
 * PublishHeads heads = new PublishHeads("app_", false);
 * heads.append(batch, message); // *3\r\n$7\r\nPUBLISH\r\n$14\r\napp_orders.42\r\n$..\r\n{"event":..}\r\n
 * }</pre>
 */
public final class PublishHeads {
  private static final int SLOTS = 256;

  /** Immutable, so that a thread that reads a slot another thread wrote sees all of it. */
  private record Head(String channel, byte[] resp) {}

  private final String prefix;
  private final boolean sharded;
  private final Head[] slots = new Head[SLOTS];

  public PublishHeads(String prefix, boolean sharded) {
    this.prefix = prefix;
    this.sharded = sharded;
  }

  /** Appends {@code PUBLISH <prefix><channel> <body>} for a message to one channel. */
  public void append(RespWriter batch, BroadcastMessage message) {
    batch.raw(head(message.channels().get(0).name()));
    RedisMessageFormat.appendBulk(batch, message);
  }

  private byte[] head(String channel) {
    int slot = channel.hashCode() & (SLOTS - 1);
    Head head = slots[slot]; // read once: another thread may replace it meanwhile
    if (head == null || !head.channel.equals(channel)) {
      RespWriter resp = new RespWriter(32 + prefix.length() + channel.length());
      RespCommands.head(resp, sharded);
      resp.bulk((prefix + channel).getBytes(StandardCharsets.UTF_8));
      head = new Head(channel, resp.toByteArray());
      slots[slot] = head;
    }
    return head.resp;
  }
}
