package dev.broadcasting.server.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.broadcasting.BroadcastException;
import dev.broadcasting.pusher.PusherSigner;
import dev.broadcasting.spi.ChannelAuthSigner;

/**
 * Pusher-style authorization answers for the {@code server} driver: {@code {"auth"}}, with
 * {@code channel_data} on presence channels, {@code shared_secret} on encrypted channels and
 * {@code user_data} for sign-in. The signatures themselves come from {@link PusherSigner}.
 */
final class ServerAuthSigner implements ChannelAuthSigner {
  private final PusherSigner signer;
  private final byte[] encryptionMasterKey;

  ServerAuthSigner(PusherSigner signer, byte[] encryptionMasterKey) {
    this.signer = signer;
    this.encryptionMasterKey = encryptionMasterKey == null ? null : encryptionMasterKey.clone();
  }

  @Override
  public String signPrivate(String socketId, String channelName) {
    ObjectNode answer = Json.object().put("auth", signer.channelAuth(socketId, channelName, null));
    if (ChannelKind.of(channelName) == ChannelKind.ENCRYPTED) {
      if (encryptionMasterKey == null) {
        throw new BroadcastException("Channel " + channelName + " is encrypted but the server connection has no "
            + "encryption master key: set PUSHER_ENCRYPTION_MASTER_KEY_BASE64 (openssl rand -base64 32)");
      }
      answer.put("shared_secret", PusherSigner.sharedSecret(channelName, encryptionMasterKey));
    }
    return Json.write(answer);
  }

  @Override
  public String signPresence(String socketId, String channelName, String channelData) {
    return Json.write(Json.object().put("auth", signer.channelAuth(socketId, channelName, channelData))
        .put("channel_data", channelData));
  }

  @Override
  public String signUser(String socketId, String userData) {
    return Json.write(Json.object().put("auth", signer.userAuth(socketId, userData)).put("user_data", userData));
  }

  @Override
  public String toString() {
    return "ServerAuthSigner{key=" + signer.key() + "}";
  }
}
