package dev.broadcasting.pusher.protocol;

import dev.broadcasting.BroadcastException;
import dev.broadcasting.EncryptedPrivateChannel;
import dev.broadcasting.internal.AuthAnswers;
import dev.broadcasting.spi.ChannelAuthSigner;
import java.util.Objects;

/**
 * Answers channel authorization and user sign-in requests as pusher-js expects them, once core has
 * decided to allow: {@code {"auth":"<key>:<signature>"}}, plus {@code channel_data} for presence
 * channels, {@code shared_secret} for {@code private-encrypted-} channels and {@code user_data} for
 * {@code pusher:signin}. The pusher driver's and the embedded server's {@code authSigner()} return
 * one. Names outside Pusher's alphabet are refused ({@link PusherChannelNames}), and so are
 * encrypted channels when no master key is configured: core answers those 400 and 403.
 *
 * <pre>{@code
 * PusherAuthSigner signer = new PusherAuthSigner(new PusherSigner(key, secret), masterKey);
 * String body = signer.signPrivate("1234.1234", "private-foobar");
 * // {"auth":"278d425bdf160c739803:58df8b0c..."}
 * }</pre>
 */
public final class PusherAuthSigner implements ChannelAuthSigner {
  private final PusherSigner signer;
  private final byte[] encryptionMasterKey;

  /** A signer for an app without encrypted channels. */
  public PusherAuthSigner(PusherSigner signer) {
    this(signer, null);
  }

  /**
   * @param encryptionMasterKey the app's 32-byte master key, or null when it has no encrypted channels
   * @throws IllegalArgumentException when the master key is not 32 bytes
   */
  public PusherAuthSigner(PusherSigner signer, byte[] encryptionMasterKey) {
    this.signer = Objects.requireNonNull(signer, "signer");
    this.encryptionMasterKey = encryptionMasterKey == null ? null : EncryptionMasterKey.check(encryptionMasterKey).clone();
  }

  @Override
  public String channelNameError(String channelName) {
    return PusherChannelNames.error(channelName);
  }

  @Override
  public String refusal(String channelName) {
    return encryptionMasterKey == null && channelName.startsWith(EncryptedPrivateChannel.PREFIX)
        ? "channel " + channelName + " is encrypted but this Pusher connection has no encryption master key; "
            + "encrypted channels need PUSHER_ENCRYPTION_MASTER_KEY_BASE64 (openssl rand -base64 32)"
        : null;
  }

  @Override
  public String signPrivate(String socketId, String channelName) {
    String auth = signer.channelAuth(socketId, channelName, null);
    if (!channelName.startsWith(EncryptedPrivateChannel.PREFIX)) {
      return AuthAnswers.auth(auth, null, null);
    }
    String refusal = refusal(channelName);
    if (refusal != null) {
      throw new BroadcastException(refusal);
    }
    return AuthAnswers.auth(auth, "shared_secret", PusherSigner.sharedSecret(channelName, encryptionMasterKey));
  }

  @Override
  public String signPresence(String socketId, String channelName, String channelData) {
    Objects.requireNonNull(channelData, "channelData");
    return AuthAnswers.auth(signer.channelAuth(socketId, channelName, channelData), "channel_data", channelData);
  }

  @Override
  public String signUser(String socketId, String userData) {
    return AuthAnswers.auth(signer.userAuth(socketId, userData), "user_data", userData);
  }

  @Override
  public String toString() {
    return "PusherAuthSigner{key=" + signer.key() + ", encrypted=" + (encryptionMasterKey != null) + "}";
  }
}
