package dev.broadcasting.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.broadcasting.BroadcastException;
import dev.broadcasting.Broadcaster;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A user who configures by environment is told the variable to set, not only a builder method. */
class SettingsNamesTest {
  @Test
  void redisDownNamesTheLazyVariable() throws Exception {
    int port = RedisServer.freePort(false);
    Throwable error = catchThrowable(() -> Broadcaster.fromMap(Map.of(
        "BROADCAST_CONNECTION", "redis", "REDIS_URL", "redis://127.0.0.1:" + port)).close());
    assertThat(error).isInstanceOf(BroadcastException.class)
        .hasMessageContaining("redis://127.0.0.1:" + port)
        .hasMessageContaining("BROADCAST_REDIS_LAZY=true");
  }
}
