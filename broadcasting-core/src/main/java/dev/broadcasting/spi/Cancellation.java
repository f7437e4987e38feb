package dev.broadcasting.spi;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.IntFunction;

/**
 * Derived futures that pass a cancel back to the request they came from. {@code thenApply} and
 * {@code allOf} do not: cancelling what they return leaves the request running, so core's attempt
 * timeout would not reach it. A driver returns what these make instead.
 *
 * <pre>{@code
 * return Cancellation.map(http.post(path, body), answer -> null);
 * }</pre>
 */
public final class Cancellation {
  private Cancellation() {}

  /** {@code request.thenApply(mapping)}, whose cancel (or any failure from outside) cancels {@code request}. */
  public static <T, R> CompletableFuture<R> map(CompletableFuture<T> request, Function<? super T, ? extends R> mapping) {
    return passCancel(request.thenApply(mapping), request);
  }

  /**
   * Returns {@code derived}, made from {@code source} with {@code handle}, {@code thenCompose} or
   * the like, so that a cancel of {@code derived} (or any failure from outside) cancels {@code source}.
   */
  public static <R> CompletableFuture<R> passCancel(CompletableFuture<R> derived, CompletableFuture<?> source) {
    derived.whenComplete((ok, error) -> {
      if (error != null && !source.isDone()) {
        source.cancel(true);
      }
    });
    return derived;
  }

  /** Completes when all {@code parts} have; its cancel cancels each part still open. */
  public static CompletableFuture<Void> all(List<? extends CompletableFuture<?>> parts) {
    CompletableFuture<Void> all = CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new));
    all.whenComplete((ok, error) -> {
      if (all.isCancelled()) {
        parts.forEach(part -> part.cancel(true));
      }
    });
    return all;
  }

  /**
   * Runs {@code count} steps one after another, each once the one before it succeeded, and fails
   * at the first failure. A cancel cancels the step in flight and starts no more.
   */
  public static CompletableFuture<Void> sequence(int count, IntFunction<? extends CompletableFuture<?>> step) {
    CompletableFuture<Void> result = new CompletableFuture<>();
    AtomicReference<CompletableFuture<?>> current = new AtomicReference<>();
    result.whenComplete((ok, error) -> {
      CompletableFuture<?> open = current.get();
      if (result.isCancelled() && open != null) {
        open.cancel(true);
      }
    });
    next(result, current, 0, count, step);
    return result;
  }

  /**
   * As {@link #sequence}, with one future per step: each completes when its step has; when a step
   * fails, it and every step after it (never started) fail with that failure. Cancelling any of
   * them cancels the step in flight and starts no more. For a driver's {@code publishBatch} whose
   * requests must go one after another to keep a channel's order.
   */
  public static List<CompletableFuture<Void>> sequenceEach(int count, IntFunction<? extends CompletableFuture<?>> step) {
    List<CompletableFuture<Void>> answers = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      answers.add(new CompletableFuture<>());
    }
    CompletableFuture<Void> all = sequence(count, index -> {
      CompletableFuture<?> sent = step.apply(index);
      CompletableFuture<Void> answer = answers.get(index);
      sent.whenComplete((ok, error) -> {
        if (error == null) {
          answer.complete(null);
        } else {
          answer.completeExceptionally(error);
        }
      });
      return sent;
    });
    all.whenComplete((ok, error) -> {
      if (error != null) {
        answers.forEach(answer -> answer.completeExceptionally(error));
      }
    });
    answers.forEach(answer -> passCancel(answer, all));
    return answers;
  }

  /** A loop, not a recursion, while steps complete at once, so a long batch cannot overflow the stack. */
  private static void next(CompletableFuture<Void> result, AtomicReference<CompletableFuture<?>> current, int from,
      int count, IntFunction<? extends CompletableFuture<?>> step) {
    for (int index = from; !result.isDone(); index++) {
      if (index == count) {
        result.complete(null);
        return;
      }
      CompletableFuture<?> started;
      try {
        started = step.apply(index);
      } catch (RuntimeException e) {
        result.completeExceptionally(e);
        return;
      }
      current.set(started);
      if (result.isCancelled()) {
        started.cancel(true);
        return;
      }
      if (!started.isDone()) {
        int following = index + 1;
        started.whenComplete((ok, error) -> {
          if (error != null) {
            result.completeExceptionally(error);
          } else {
            next(result, current, following, count, step);
          }
        });
        return;
      }
      Throwable error = started.handle((ok, failure) -> failure).join();
      if (error != null) {
        result.completeExceptionally(error);
        return;
      }
    }
  }
}
