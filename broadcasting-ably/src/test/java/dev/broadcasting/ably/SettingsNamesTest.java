package dev.broadcasting.ably;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.broadcasting.Broadcaster;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A user who configures by environment is told the variable to set, not only a builder method. */
class SettingsNamesTest {
  @Test
  void tlsOffNamesTheVariablesThatWereAndCanBeSet() {
    Throwable error = catchThrowable(() -> Broadcaster.fromMap(Map.of(
        "BROADCAST_CONNECTION", "ably", "ABLY_KEY", FakeAbly.KEY, "ABLY_TLS", "false")).close());
    assertThat(error).hasMessageContaining("ABLY_TLS=false")
        .hasMessageContaining("ABLY_ALLOW_INSECURE_BASIC_AUTH=true");
  }
}
