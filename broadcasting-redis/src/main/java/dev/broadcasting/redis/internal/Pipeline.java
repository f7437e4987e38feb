package dev.broadcasting.redis.internal;

import dev.broadcasting.BroadcastException;
import dev.broadcasting.spi.BroadcastMessage;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.output.CommandOutput;
import io.lettuce.core.protocol.AsyncCommand;
import io.lettuce.core.protocol.Command;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.ProtocolKeyword;
import io.netty.util.Timeout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The commands of one flush, each of them the very future core holds for its message: no future
 * wraps a command, and one timer, on lettuce's wheel, bounds them all. A command fails with a
 * {@link BroadcastException} that says whether to retry, and a retryable failure or a cancel
 * fences its message's channels ({@link OrderFence}) on the thread that reports it.
 *
 * <pre>{@code
 * Pipeline pipeline = new Pipeline(failures, fence, messages.size());
 * CompletableFuture<Void> sent = pipeline.add(CommandType.PUBLISH, args, message, attempt);
 * pipeline.send(connection, Duration.ofSeconds(5));
 * }</pre>
 *
 * <p>On the timeout a command still open fails as retryable and is done, so lettuce never writes
 * it later (it skips a command that is done): core's retry cannot run beside it.
 */
public final class Pipeline {
  private final RedisFailures failures;
  private final OrderFence fence;
  private final List<Publish> commands;
  private final AtomicInteger open = new AtomicInteger();
  private volatile Timeout timeout;

  public Pipeline(RedisFailures failures, OrderFence fence, int size) {
    this.failures = failures;
    this.fence = fence;
    this.commands = new ArrayList<>(size);
  }

  /** Adds one command carrying {@code message}, sent as {@code attempt}; returns its outcome. */
  public CompletableFuture<Void> add(ProtocolKeyword type, CommandArgs<byte[], byte[]> args, BroadcastMessage message,
      long attempt) {
    Publish command = new Publish(new Command<>(type, new Ignored(), args), message, attempt);
    commands.add(command);
    return command;
  }

  /** Writes the commands with one flush, under one timeout; once. */
  public void send(StatefulConnection<byte[], byte[]> connection, Duration limit) {
    if (commands.isEmpty()) {
      return;
    }
    open.set(commands.size());
    timeout = connection.getResources().timer().newTimeout(t -> expire(), limit.toMillis(), TimeUnit.MILLISECONDS);
    try {
      if (commands.size() == 1) {
        // lettuce writes a list command by command and flushes after: a task each for the event
        // loop, which may sleep between them; one command goes as one write-and-flush
        connection.dispatch(commands.get(0));
      } else {
        connection.dispatch(commands);
      }
    } catch (RuntimeException e) {
      commands.forEach(command -> command.completeExceptionally(e));
    }
  }

  private void expire() {
    for (Publish command : commands) {
      command.completeExceptionally(new TimeoutException());
    }
  }

  private void settled() {
    if (open.decrementAndGet() == 0) {
      Timeout pending = timeout;
      if (pending != null) {
        pending.cancel();
      }
    }
  }

  /** One command of the pipeline, and the future core holds for its message. */
  private final class Publish extends AsyncCommand<byte[], byte[], Void> {
    private final BroadcastMessage message;
    private final long attempt;

    Publish(Command<byte[], byte[], Void> command, BroadcastMessage message, long attempt) {
      super(command);
      this.message = message;
      this.attempt = attempt;
    }

    /**
     * Lettuce's answer. An error reply goes through {@link #completeExceptionally}, so that it is
     * mapped too, and before {@code super.complete()}: once that has counted the answer,
     * {@code AsyncCommand} takes no exceptional completion and the future would stay open.
     */
    @Override
    public void complete() {
      CommandOutput<byte[], byte[], Void> output = getOutput();
      if (output != null && output.hasError()) {
        completeExceptionally(new RedisCommandExecutionException(output.getError()));
      } else {
        super.complete();
      }
    }

    @Override
    protected void completeResult() {
      if (complete(null)) {
        fence.delivered(message);
        settled();
      }
    }

    @Override
    public boolean completeExceptionally(Throwable error) {
      BroadcastException mapped = failures.map(error);
      if (!super.completeExceptionally(mapped)) {
        return false;
      }
      if (mapped.isRetryable()) {
        fence.failed(message, attempt);
      }
      settled();
      return true;
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      if (!super.cancel(mayInterruptIfRunning)) {
        return false;
      }
      fence.failed(message, attempt);
      settled();
      return true;
    }
  }

  /** The integer Redis answers (receivers) is of no use to core: the future completes with null. */
  private static final class Ignored extends CommandOutput<byte[], byte[], Void> {
    Ignored() {
      super(ByteArrayCodec.INSTANCE, null);
    }

    @Override
    public void set(long integer) {
      // the count of receivers; pub/sub delivery is fire-and-forget either way
    }
  }
}
