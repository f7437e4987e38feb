package dev.broadcasting.server.redis.internal;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * One of the Lua scripts that change the cluster's state atomically ({@code cluster.lua}: the
 * cluster's decisions; {@code history.lua}: the history of channels), run by its SHA and sent in full
 * only when Redis does not know it (the first time, or after a restart).
 */
final class ClusterScript {
  private final RedisClusterAsyncCommands<String, String> commands;
  private final String source;
  private final String sha;

  /** The script {@code name} ({@code cluster.lua} or {@code history.lua}). */
  ClusterScript(RedisClusterAsyncCommands<String, String> commands, String name) {
    this.commands = commands;
    try (InputStream in = ClusterScript.class.getResourceAsStream("/dev/broadcasting/server/redis/" + name)) {
      this.source = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(name + " is missing from broadcasting-server-redis", e);
    }
    this.sha = commands.digest(source);
  }

  /** Runs operation {@code args[0]} on the app whose keys start with {@code keyPrefix}. */
  CompletableFuture<List<Object>> run(String keyPrefix, String... args) {
    return run(ScriptOutputType.MULTI, new String[] {keyPrefix}, args);
  }

  /** Runs operation {@code args[0]} on {@code keys}, its answer read as {@code type}. */
  <T> CompletableFuture<T> run(ScriptOutputType type, String[] keys, String... args) {
    CompletableFuture<T> bySha = commands.<T>evalsha(sha, type, keys, args).toCompletableFuture();
    return bySha.handle((result, error) -> {
      Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
      if (cause instanceof RedisNoScriptException) {
        return commands.<T>eval(source, type, keys, args).toCompletableFuture();
      }
      return error == null ? CompletableFuture.completedFuture(result) : CompletableFuture.<T>failedFuture(cause);
    }).thenCompose(future -> future);
  }
}
