package dev.broadcasting.redis;

/** {@link RedisWireFormatTest} with the driver's publishes on its own socket ({@code publishSocket(true)}). */
class RedisPublishSocketWireFormatTest extends RedisWireFormatTest {
  @Override
  RedisBroadcastDriver.Builder driverBuilder() {
    return RedisBroadcastDriver.builder().publishSocket(true);
  }
}
