package dev.broadcasting.ably;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * Tests of the driver's requests against {@link FakeAbly}: a fresh fake and a driver with its
 * default settings for each test, both closed after it. A test that needs other settings closes
 * {@link #driver} and builds its own from {@code ably.driver()}.
 */
abstract class AgainstFakeAbly {
  FakeAbly ably;
  AblyBroadcastDriver driver;

  @BeforeEach
  void startFakeAbly() throws Exception {
    ably = FakeAbly.start();
    driver = ably.driver().build();
  }

  @AfterEach
  void stopFakeAbly() {
    driver.close();
    ably.close();
  }
}
