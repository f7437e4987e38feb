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
  /** KEYS: stream. ARGV: max length, then field/value pairs. The entry id, or nil when full. */
  ENQUEUE("if redis.call('XLEN', KEYS[1]) >= tonumber(ARGV[1]) then return false end\n"
      + "return redis.call('XADD', KEYS[1], '*', unpack(ARGV, 2))"),
  /** KEYS: stream. ARGV: group, then entry ids. */
  ACK("local acked = redis.call('XACK', KEYS[1], ARGV[1], unpack(ARGV, 2))\n"
      + "redis.call('XDEL', KEYS[1], unpack(ARGV, 2))\nreturn acked"),
  /** KEYS: stream, failed stream. ARGV: group, entry id, failed stream's length, then field/value pairs. */
  FAIL("redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[3], '*', unpack(ARGV, 4))\n"
      + "redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])\nreturn redis.call('XDEL', KEYS[1], ARGV[2])"),
  /** KEYS: failed stream, stream. ARGV: failed entry id, then field/value pairs. The new id. */
  REQUEUE("if redis.call('XDEL', KEYS[1], ARGV[1]) == 0 then return false end\n"
      + "return redis.call('XADD', KEYS[2], '*', unpack(ARGV, 2))"),
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
