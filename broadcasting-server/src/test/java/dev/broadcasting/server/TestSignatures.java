package dev.broadcasting.server;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** The tests' own HMAC and MD5, written from the Pusher documentation, so no signature is checked against itself. */
final class TestSignatures {
  private TestSignatures() {}

  static String hmacHex(String secret, String data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(data.getBytes(StandardCharsets.UTF_8)));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  static String md5Hex(byte[] data) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(data));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** The auth of a private or presence subscription: {@code key:hex(hmac(socket:channel[:data]))}. */
  static String channelAuth(String key, String secret, String socketId, String channel, String channelData) {
    String toSign = socketId + ":" + channel + (channelData == null ? "" : ":" + channelData);
    return key + ":" + hmacHex(secret, toSign);
  }
}
