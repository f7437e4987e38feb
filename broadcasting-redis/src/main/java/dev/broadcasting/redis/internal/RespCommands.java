package dev.broadcasting.redis.internal;

import dev.broadcasting.resp.internal.RespWriter;
import java.nio.charset.StandardCharsets;

/**
 * The driver's publish commands as RESP, their heads ({@code *3 $7 PUBLISH}) formatted once, not
 * per event.
 *
 * <pre>{@code
 * RespWriter batch = new RespWriter(1024);
 * RespCommands.publish(batch, false, channel, body);
 * batch.writeTo(link.output());
 * }</pre>
 */
public final class RespCommands {
  private static final byte[] PUBLISH = "*3\r\n$7\r\nPUBLISH\r\n".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] SPUBLISH = "*3\r\n$8\r\nSPUBLISH\r\n".getBytes(StandardCharsets.US_ASCII);

  private RespCommands() {}

  /** Appends {@code PUBLISH channel body}, or {@code SPUBLISH} when {@code sharded}. */
  public static void publish(RespWriter batch, boolean sharded, byte[] channel, byte[] body) {
    head(batch, sharded);
    batch.bulk(channel);
    batch.bulk(body);
  }

  /** Appends the head of a {@code PUBLISH} (or {@code SPUBLISH}), its channel and body to follow. */
  static void head(RespWriter batch, boolean sharded) {
    batch.raw(sharded ? SPUBLISH : PUBLISH);
  }
}
