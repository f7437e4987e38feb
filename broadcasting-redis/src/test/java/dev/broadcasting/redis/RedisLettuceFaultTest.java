package dev.broadcasting.redis;

/**
 * {@link RedisFaultTest} with the driver's publishes through lettuce ({@code publishSocket(false)}), the path a
 * cluster and an application's client take.
 */
class RedisLettuceFaultTest extends RedisFaultTest {
  @Override
  RedisBroadcastDriver.Builder driverBuilder() {
    return RedisBroadcastDriver.builder().publishSocket(false);
  }
}
