package dev.broadcasting.doctor.internal;

import dev.broadcasting.BroadcastEvent;
import dev.broadcasting.BroadcastListener;
import java.time.Duration;

/** Remembers why the last attempt of the doctor's own broadcaster failed, for the events line. */
public final class RetryRecorder implements BroadcastListener {
  private volatile Throwable last;

  @Override
  public void onRetry(BroadcastEvent event, String connection, int attempt, Duration delay, Throwable cause) {
    last = cause;
  }

  public Throwable last() {
    return last;
  }
}
