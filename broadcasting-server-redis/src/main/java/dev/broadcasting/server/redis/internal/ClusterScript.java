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
 * The Lua script that takes the cluster's decisions atomically (see {@code cluster.lua}), run by its
 * SHA and sent in full only when Redis does not know it (the first time, or after a restart).
 */
final class ClusterScript {
  private final RedisClusterAsyncCommands<String, String> commands;
  private final String source;
  private final String sha;

  ClusterScript(RedisClusterAsyncCommands<String, String> commands) {
    this.commands = commands;
    try (InputStream in = ClusterScript.class.getResourceAsStream("/dev/broadcasting/server/redis/cluster.lua")) {
      this.source = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cluster.lua is missing from broadcasting-server-redis", e);
    }
    this.sha = commands.digest(source);
  }

  /** Runs operation {@code args[0]} on the app whose keys start with {@code keyPrefix}. */
  CompletableFuture<List<Object>> run(String keyPrefix, String... args) {
    String[] keys = {keyPrefix};
    CompletableFuture<List<Object>> bySha = commands
        .<List<Object>>evalsha(sha, ScriptOutputType.MULTI, keys, args).toCompletableFuture();
    return bySha.handle((result, error) -> {
      Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
      if (cause instanceof RedisNoScriptException) {
        return commands.<List<Object>>eval(source, ScriptOutputType.MULTI, keys, args).toCompletableFuture();
      }
      return error == null ? CompletableFuture.completedFuture(result) : CompletableFuture.<List<Object>>failedFuture(cause);
    }).thenCompose(future -> future);
  }
}
