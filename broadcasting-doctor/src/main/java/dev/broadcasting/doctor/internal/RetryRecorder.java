package dev.broadcasting.doctor.internal;

import dev.broadcasting.BroadcastListener;
import dev.broadcasting.spi.BroadcastMessage;
import java.time.Duration;

/** Remembers why the last attempt of the doctor's own broadcaster failed, for the events line. */
public final class RetryRecorder implements BroadcastListener {
  private volatile Throwable last;

  @Override
  public void onRetry(BroadcastMessage message, String connection, int attempt, Duration delay, Throwable cause) {
    last = cause;
  }

  public Throwable last() {
    return last;
  }
}
