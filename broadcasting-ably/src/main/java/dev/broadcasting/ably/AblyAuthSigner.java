package dev.broadcasting.ably;

import dev.broadcasting.ably.internal.AblyKey;
import dev.broadcasting.internal.AuthAnswers;
import dev.broadcasting.internal.Signatures;
import dev.broadcasting.spi.ChannelAuthSigner;
import java.util.Objects;

/**
 * Signs channel auth answers the way Laravel's AblyBroadcaster does, for pusher-js clients
 * connected to Ably's Pusher adapter: {@code auth} is {@code <appId.keyId>:<hex hmac-sha256>} of
 * {@code socket_id:channel_name}, with {@code :channel_data} appended on presence channels.
 *
 * <pre>{@code
 * ChannelAuthSigner signer = AblyAuthSigner.of(System.getenv("ABLY_KEY"));
 * String body = signer.signPrivate("1234.1234", "private-chat.1");
 * // {"auth":"appId.keyId:057a789d..."}
 * }</pre>
 */
public final class AblyAuthSigner implements ChannelAuthSigner {
  private final AblyKey key;

  AblyAuthSigner(AblyKey key) {
    this.key = key;
  }

  /** A signer for the key {@code appId.keyId:keySecret}. */
  public static AblyAuthSigner of(String key) {
    return new AblyAuthSigner(AblyKey.parse(Objects.requireNonNull(key, "key"), "The Ably key"));
  }

  @Override
  public String signPrivate(String socketId, String channelName) {
    return AuthAnswers.auth(Signatures.channelAuth(key.name(), key.secret(), socketId, channelName, null), null, null);
  }

  @Override
  public String signPresence(String socketId, String channelName, String channelData) {
    Objects.requireNonNull(channelData, "channelData");
    return AuthAnswers.auth(Signatures.channelAuth(key.name(), key.secret(), socketId, channelName, channelData),
        "channel_data", channelData);
  }

  @Override
  public String toString() {
    return "AblyAuthSigner{key=" + key + "}";
  }
}
