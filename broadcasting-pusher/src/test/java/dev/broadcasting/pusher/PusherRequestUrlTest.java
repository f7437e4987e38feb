package dev.broadcasting.pusher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.broadcasting.Channel;
import dev.broadcasting.pusher.protocol.JavaxHmac;
import dev.broadcasting.spi.BroadcastMessage;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The signed query as it goes on the wire: written as it is when nothing needs escaping, escaped otherwise. */
class PusherRequestUrlTest {
  private static final BroadcastMessage EVENT = BroadcastMessage.of("OrderShipped", List.of(new Channel("orders")), "{}");

  @Test
  void anEventsQueryIsTheSortedSignedParametersAsTheyAre() throws Exception {
    try (PusherPeer peer = new PusherPeer(); PusherBroadcastDriver driver = peer.driver().build()) {
      driver.publish(EVENT).get(10, TimeUnit.SECONDS);

      PusherPeer.Received got = peer.takeSigned();
      assertThat(got.encodedQuery()).isEqualTo("auth_key=" + peer.key
          + "&auth_signature=" + got.query().get("auth_signature")
          + "&auth_timestamp=" + got.query().get("auth_timestamp")
          + "&auth_version=1.0&body_md5=" + JavaxHmac.md5(got.body()));
    }
  }

  @Test
  void aKeyWithReservedCharactersIsEscapedAndStillSignedOverItsPlainValue() throws Exception {
    String key = "key+with/odd&chars=%";
    try (PusherPeer peer = new PusherPeer("3", key, "7ad3773142a6692b25b8");
        PusherBroadcastDriver driver = peer.driver().build()) {
      driver.publish(EVENT).get(10, TimeUnit.SECONDS);

      PusherPeer.Received got = peer.takeSigned();
      assertThat(got.query().get("auth_key")).isEqualTo(key);
      assertThat(got.encodedQuery()).startsWith("auth_key=key%2Bwith%2Fodd%26chars%3D%25&auth_signature=");
    }
  }
}
