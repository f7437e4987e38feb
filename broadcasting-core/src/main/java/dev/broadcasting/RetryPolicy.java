package dev.broadcasting;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How a queued event is retried when its driver fails with a retryable error: exponential back-off
 * with jitter, a number of attempts, and a total deadline after which no further attempt starts.
 *
 * <pre>{@code
 * RetryPolicy policy = RetryPolicy.builder()
 *     .maxAttempts(8)
 *     .baseDelay(Duration.ofMillis(200))
 *     .maxDelay(Duration.ofSeconds(30))
 *     .deadline(Duration.ofMinutes(5))
 *     .build();
 * }</pre>
 */
public final class RetryPolicy {
  private static final RetryPolicy DEFAULT = builder().build();
  private static final RetryPolicy NONE = builder().maxAttempts(1).build();

  private final int maxAttempts;
  private final Duration baseDelay;
  private final Duration maxDelay;
  private final Duration deadline;

  private RetryPolicy(Builder builder) {
    this.maxAttempts = builder.maxAttempts;
    this.baseDelay = builder.baseDelay;
    this.maxDelay = builder.maxDelay;
    this.deadline = builder.deadline;
  }

  /**
   * 15 attempts, 100 ms doubling up to 10 s, within 2 minutes. With the jitter at its shortest
   * (half of each delay) the 14 pauses add up to 0.05 + 0.1 + 0.2 + 0.4 + 0.8 + 1.6 + 3.2 + 7 × 5
   * = 41.35 s, so an event outlives a 30 s outage of its service; at their longest, 12.7 + 7 × 10 =
   * 82.7 s, inside the 2-minute deadline.
   */
  public static RetryPolicy defaults() {
    return DEFAULT;
  }

  /** One attempt: a failure is final. */
  public static RetryPolicy none() {
    return NONE;
  }

  public static Builder builder() {
    return new Builder();
  }

  public int maxAttempts() {
    return maxAttempts;
  }

  public Duration baseDelay() {
    return baseDelay;
  }

  public Duration maxDelay() {
    return maxDelay;
  }

  public Duration deadline() {
    return deadline;
  }

  /**
   * The pause before attempt {@code attempt + 1}, after {@code attempt} failed: the capped
   * exponential delay with "equal jitter", between half of it and all of it, so that many events
   * failing together do not retry in lockstep.
   */
  public long delayNanosAfter(int attempt) {
    long base = baseDelay.toNanos();
    long cap = maxDelay.toNanos();
    int shift = Math.min(attempt - 1, 30);
    long exp = base > (cap >> shift) ? cap : Math.min(cap, base << shift);
    long half = exp / 2;
    return half + (half > 0 ? ThreadLocalRandom.current().nextLong(half + 1) : 0);
  }

  @Override
  public String toString() {
    return "RetryPolicy{maxAttempts=" + maxAttempts + ", baseDelay=" + baseDelay + ", maxDelay="
        + maxDelay + ", deadline=" + deadline + "}";
  }

  /** Builds a {@link RetryPolicy}; each setter checks its value at once. */
  public static final class Builder {
    private int maxAttempts = 15;
    private Duration baseDelay = Duration.ofMillis(100);
    private Duration maxDelay = Duration.ofSeconds(10);
    private Duration deadline = Duration.ofMinutes(2);

    private Builder() {}

    /** Attempts in all, the first included; 1 means no retry. */
    public Builder maxAttempts(int maxAttempts) {
      if (maxAttempts < 1) {
        throw new IllegalArgumentException("maxAttempts must be at least 1 but was " + maxAttempts);
      }
      this.maxAttempts = maxAttempts;
      return this;
    }

    public Builder baseDelay(Duration baseDelay) {
      this.baseDelay = positive("baseDelay", baseDelay);
      return this;
    }

    public Builder maxDelay(Duration maxDelay) {
      this.maxDelay = positive("maxDelay", maxDelay);
      return this;
    }

    /** No attempt starts later than this after the event was broadcast. */
    public Builder deadline(Duration deadline) {
      this.deadline = positive("deadline", deadline);
      return this;
    }

    public RetryPolicy build() {
      if (maxDelay.compareTo(baseDelay) < 0) {
        throw new IllegalStateException(
            "maxDelay (" + maxDelay + ") must not be shorter than baseDelay (" + baseDelay + ")");
      }
      return new RetryPolicy(this);
    }

    private static Duration positive(String what, Duration value) {
      Objects.requireNonNull(value, what);
      if (value.isNegative() || value.isZero()) {
        throw new IllegalArgumentException(what + " must be positive but was " + value);
      }
      return value;
    }
  }
}
