package dev.broadcasting.redis;

/**
 * {@link RedisDriverCompatibilityTest} with the driver's publishes through lettuce ({@code publishSocket(false)}), the path a
 * cluster and an application's client take.
 */
class RedisLettuceCompatibilityTest extends RedisDriverCompatibilityTest {
  @Override
  RedisBroadcastDriver.Builder driverBuilder() {
    return RedisBroadcastDriver.builder().publishSocket(false);
  }
}
