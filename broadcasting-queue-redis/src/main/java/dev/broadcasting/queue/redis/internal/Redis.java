package dev.broadcasting.queue.redis.internal;

import dev.broadcasting.BroadcastException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Waits for one command's answer within the command timeout, and names what went wrong. */
public final class Redis {
  private Redis() {}

  public static <T> T await(CompletionStage<T> command, QueueSettings settings) {
    try {
      return command.toCompletableFuture().get(settings.commandTimeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BroadcastException("Interrupted while waiting for Redis", e);
    } catch (TimeoutException e) {
      throw BroadcastException.retryable("Redis did not answer within " + settings.commandTimeout(), e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      throw BroadcastException.retryable("Redis failed: " + cause.getMessage(), cause);
    }
  }
}
