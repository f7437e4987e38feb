package dev.broadcasting.server.internal.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class SessionsTest {
  private final AtomicLong nanos = new AtomicLong();
  private final Sessions sessions = new Sessions(nanos::get);

  @Test
  void aSessionSeesItsAppsUntilItExpiresOrLogsOut() {
    String token = sessions.open(Set.of("1"));
    assertThat(token).hasSize(43);
    assertThat(sessions.apps(token)).containsExactly("1");
    assertThat(sessions.apps("made-up")).isNull();
    nanos.addAndGet(TimeUnit.HOURS.toNanos(Sessions.HOURS) + 1);
    assertThat(sessions.apps(token)).isNull();
    String next = sessions.open(Set.of("1"));
    sessions.close(next);
    assertThat(sessions.apps(next)).isNull();
  }

  @Test
  void keepsAtMostTheNewestSessions() {
    String first = sessions.open(Set.of("1"));
    for (int i = 0; i < Sessions.MAX_SESSIONS; i++) {
      sessions.open(Set.of("1"));
    }
    assertThat(sessions.apps(first)).isNull();
  }

  @Test
  void closesLoginsForTheRestOfTheMinuteAfterTooManyFailures() {
    for (int i = 0; i < Sessions.MAX_FAILURES_PER_MINUTE - 1; i++) {
      sessions.failedLogin();
    }
    assertThat(sessions.loginsOpen()).isTrue();
    sessions.failedLogin();
    assertThat(sessions.loginsOpen()).isFalse();
    nanos.addAndGet(TimeUnit.MINUTES.toNanos(1));
    assertThat(sessions.loginsOpen()).isTrue();
  }
}
