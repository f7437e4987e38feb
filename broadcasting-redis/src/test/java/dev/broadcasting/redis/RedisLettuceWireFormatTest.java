package dev.broadcasting.redis;

/**
 * {@link RedisWireFormatTest} with the driver's publishes through lettuce ({@code publishSocket(false)}), the path a
 * cluster and an application's client take.
 */
class RedisLettuceWireFormatTest extends RedisWireFormatTest {
  @Override
  RedisBroadcastDriver.Builder driverBuilder() {
    return RedisBroadcastDriver.builder().publishSocket(false);
  }
}
