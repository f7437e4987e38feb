package dev.broadcasting.redis;

/** {@link RedisFaultTest} with the driver's publishes on its own socket ({@code publishSocket(true)}). */
class RedisPublishSocketFaultTest extends RedisFaultTest {
  @Override
  RedisBroadcastDriver.Builder driverBuilder() {
    return RedisBroadcastDriver.builder().publishSocket(true);
  }
}
