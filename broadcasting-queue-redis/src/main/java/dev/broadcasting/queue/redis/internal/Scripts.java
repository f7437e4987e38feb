package dev.broadcasting.queue.redis.internal;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;

/**
 * The queue's server-side steps, each atomic: a write that refuses rather than trims, an
 * acknowledgement that also deletes (so a stream holds only what is not yet delivered), the move
 * to the failed stream, and the lease's renewal and release by its holder only.
 */
public enum Scripts {
  /**
   * KEYS: streams. ARGV: max length, then per entry its stream's key index, message id and entry
   * value. Per entry 1 when stored, 0 when its stream held max length entries.
   */
  ENQUEUE("local max = tonumber(ARGV[1])\nlocal lengths = {}\nlocal stored = {}\n"
      + "for i = 2, #ARGV, 3 do\n"
      + "  local key = KEYS[tonumber(ARGV[i])]\n"
      + "  local length = lengths[key] or redis.call('XLEN', key)\n"
      + "  if length < max then\n"
      + "    redis.call('XADD', key, '*', '" + StreamEntry.ID + "', ARGV[i + 1], '" + StreamEntry.ENTRY
      + "', ARGV[i + 2])\n"
      + "    length = length + 1\n"
      + "    stored[#stored + 1] = 1\n"
      + "  else\n"
      + "    stored[#stored + 1] = 0\n"
      + "  end\n"
      + "  lengths[key] = length\n"
      + "end\nreturn stored"),
  /**
   * KEYS: streams, then the outcomes streams of producers in other processes. ARGV: group, outcomes
   * streams' length (MAXLEN ~), their time to live in ms, the number of streams; per stream the
   * number of its entry ids and the ids; per outcomes stream its notice channel, the number of
   * message ids and the ids. Acknowledges and deletes the delivered entries, then keeps each
   * producer's outcomes and sends it one notice of as many lines ({@link #NOTIFY}'s, with an empty
   * reason): one call for a whole batch, whichever processes broadcast it.
   */
  ACK("local group = ARGV[1]\nlocal streams = tonumber(ARGV[4])\nlocal acked = 0\nlocal at = 5\n"
      + "for k = 1, streams do\n"
      + "  local count = tonumber(ARGV[at])\n"
      + "  acked = acked + redis.call('XACK', KEYS[k], group, unpack(ARGV, at + 1, at + count))\n"
      + "  redis.call('XDEL', KEYS[k], unpack(ARGV, at + 1, at + count))\n"
      + "  at = at + count + 1\nend\n"
      + "for k = streams + 1, #KEYS do\n"
      + "  local count = tonumber(ARGV[at + 1])\n"
      + "  local lines = {}\n"
      + "  for i = at + 2, at + 1 + count do\n"
      + "    local id = redis.call('XADD', KEYS[k], 'MAXLEN', '~', ARGV[2], '*', 'id', ARGV[i], 'reason', '')\n"
      + "    lines[#lines + 1] = id .. ' ' .. ARGV[i] .. ' '\n"
      + "  end\n"
      + "  redis.call('PEXPIRE', KEYS[k], ARGV[3])\n"
      + "  redis.call('PUBLISH', ARGV[at], table.concat(lines, '\\n'))\n"
      + "  at = at + count + 2\nend\nreturn acked"),
  /** KEYS: stream, failed stream. ARGV: group, entry id, failed stream's length, then field/value pairs. */
  FAIL("redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[3], '*', unpack(ARGV, 4))\n"
      + "redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])\nreturn redis.call('XDEL', KEYS[1], ARGV[2])"),
  /** KEYS: failed stream, stream. ARGV: failed entry id, then field/value pairs. The new id. */
  REQUEUE("if redis.call('XDEL', KEYS[1], ARGV[1]) == 0 then return false end\n"
      + "return redis.call('XADD', KEYS[2], '*', unpack(ARGV, 2))"),
  /**
   * KEYS: the producer's outcomes stream. ARGV: its notice channel, the stream's length (MAXLEN ~),
   * its time to live in ms, the message id, the reason (empty when delivered). Keeps the outcome
   * for a producer that misses the notice, then sends the notice: stream id, message id, reason (a
   * notice of {@link #ACK} holds several such lines).
   */
  NOTIFY("local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[2], '*', 'id', ARGV[4], 'reason', ARGV[5])\n"
      + "redis.call('PEXPIRE', KEYS[1], ARGV[3])\n"
      + "redis.call('PUBLISH', ARGV[1], id .. ' ' .. ARGV[4] .. ' ' .. ARGV[5])\nreturn id"),
  /** KEYS: lease. ARGV: holder, ttl in ms. 1 when still held. */
  RENEW("if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end\n"
      + "return 0"),
  /** KEYS: lease. ARGV: holder. */
  RELEASE("if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end\nreturn 0");

  private final String source;
  private final String sha;

  Scripts(String source) {
    this.source = source;
    this.sha = sha1(source);
  }

  /** The script's SHA-1, to run it with EVALSHA. */
  String sha() {
    return sha;
  }

  /** The script itself, for EVAL when the server does not know its digest (after a restart, say). */
  String source() {
    return source;
  }

  /** Runs by digest, and sends the source when the server does not know it (after a restart, say). */
  public <T> CompletableFuture<T> run(RedisAsyncCommands<String, String> redis, ScriptOutputType type,
      String[] keys, String... args) {
    return redis.<T>evalsha(sha, type, keys, args).toCompletableFuture().handle((value, error) -> {
      if (error == null) {
        return CompletableFuture.completedFuture(value);
      }
      Throwable cause = error instanceof java.util.concurrent.CompletionException ? error.getCause() : error;
      if (cause instanceof RedisNoScriptException) {
        return redis.<T>eval(source, type, keys, args).toCompletableFuture();
      }
      return CompletableFuture.<T>failedFuture(cause);
    }).thenCompose(future -> future);
  }

  private static String sha1(String source) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(source.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-1", e);
    }
  }
}
