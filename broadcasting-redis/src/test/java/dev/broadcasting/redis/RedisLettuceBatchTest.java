package dev.broadcasting.redis;

/**
 * {@link RedisBatchTest} with the driver's publishes through lettuce ({@code publishSocket(false)}), the path a
 * cluster and an application's client take.
 */
class RedisLettuceBatchTest extends RedisBatchTest {
  @Override
  RedisBroadcastDriver.Builder driverBuilder() {
    return RedisBroadcastDriver.builder().publishSocket(false);
  }
}
