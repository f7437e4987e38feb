package dev.broadcasting.pusher;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** A test of the driver against a fresh {@link PusherPeer}, with a driver built on the peer's defaults. */
abstract class AgainstPusherPeer {
  PusherPeer peer;
  PusherBroadcastDriver driver;

  @BeforeEach
  void startPeer() throws Exception {
    peer = new PusherPeer();
    driver = peer.driver().build();
  }

  @AfterEach
  void stopPeer() {
    driver.close();
    peer.close();
  }
}
