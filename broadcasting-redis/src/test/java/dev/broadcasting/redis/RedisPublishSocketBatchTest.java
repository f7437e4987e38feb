package dev.broadcasting.redis;

/** {@link RedisBatchTest} with the driver's publishes on its own socket ({@code publishSocket(true)}). */
class RedisPublishSocketBatchTest extends RedisBatchTest {
  @Override
  RedisBroadcastDriver.Builder driverBuilder() {
    return RedisBroadcastDriver.builder().publishSocket(true);
  }
}
