package dev.broadcasting.redis;

/** {@link RedisDriverCompatibilityTest} with the driver's publishes on its own socket ({@code publishSocket(true)}). */
class RedisPublishSocketCompatibilityTest extends RedisDriverCompatibilityTest {
  @Override
  RedisBroadcastDriver.Builder driverBuilder() {
    return RedisBroadcastDriver.builder().publishSocket(true);
  }
}
