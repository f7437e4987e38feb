package dev.broadcasting.doctor.internal;

import dev.broadcasting.pusher.protocol.PusherSigner;
import dev.broadcasting.spi.DriverSettings;

/** The answer a Pusher-protocol auth endpoint must give, signed by the pusher module's own signer. */
public final class PusherAuth {
  private PusherAuth() {}

  public static AuthCheck.ExpectedAuth expected(DriverSettings settings) {
    PusherSigner signer = new PusherSigner(settings.require("PUSHER_APP_KEY", "the app key the auth answer is signed for"),
        settings.require("PUSHER_APP_SECRET", "the secret the auth answer is signed with"));
    return signer::channelAuth;
  }
}
