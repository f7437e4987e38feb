package dev.broadcasting.server;

import dev.broadcasting.pusher.PusherBroadcastDriver;
import dev.broadcasting.spi.BroadcastDriver;

/**
 * The {@code pusher} driver of broadcasting-pusher publishing into this server through the HTTP
 * API, signing its requests with its own code, and the same WebSocket peer reading what arrives:
 * the whole compatibility kit passes as it does against Pusher itself. It lives in this module, in
 * the server's test package, so that broadcasting-server does not depend on the pusher driver.
 */
class PusherDriverIntoServerTest extends ServerDriverCompatibilityTest {

  @Override
  protected BroadcastDriver createDriver() throws Exception {
    super.createDriver();
    return PusherBroadcastDriver.builder().appId("1").key(KEY).secret(SECRET)
        .host("127.0.0.1").port(serverPort()).scheme("http").build();
  }

  @Override
  protected String driverName() {
    return "pusher";
  }
}
