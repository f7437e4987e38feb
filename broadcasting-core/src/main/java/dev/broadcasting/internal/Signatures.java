package dev.broadcasting.internal;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** The digests that the Pusher and Ably protocols sign with, shared by every driver module. */
public final class Signatures {
  private static final HexFormat HEX = HexFormat.of();

  private Signatures() {}

  /**
   * The last key each thread signed with, and its initialised Mac: an application signs with one
   * secret, and {@code Mac.getInstance} plus {@code init} cost more than a short signature.
   */
  private static final ThreadLocal<KeyedMac> LAST_MAC = new ThreadLocal<>();

  private record KeyedMac(byte[] key, Mac mac) {}

  public static byte[] hmacSha256(byte[] key, byte[] data) {
    KeyedMac last = LAST_MAC.get();
    if (last == null || !Arrays.equals(last.key, key)) {
      try {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        last = new KeyedMac(key.clone(), mac);
        LAST_MAC.set(last);
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("HmacSHA256 is missing from this JVM", e);
      }
    }
    return last.mac.doFinal(data);
  }

  /** Lower-case hex HMAC-SHA256 of {@code data} under {@code secret}, both as UTF-8. */
  public static String hmacSha256Hex(String secret, String data) {
    return HEX.formatHex(hmacSha256(utf8(secret), utf8(data)));
  }

  /**
   * The channel auth value of Pusher and of Laravel's broadcasters that speak its protocol:
   * {@code <key>:<hex hmac-sha256(socket_id:channel_name[:channel_data])>}.
   *
   * @param channelData the presence member JSON exactly as the client receives it, or null
   */
  public static String channelAuth(String key, String secret, String socketId, String channelName,
      String channelData) {
    Objects.requireNonNull(socketId, "socketId");
    Objects.requireNonNull(channelName, "channelName");
    String toSign = channelData == null
        ? socketId + ':' + channelName
        : socketId + ':' + channelName + ':' + channelData;
    return key + ':' + hmacSha256Hex(secret, toSign);
  }

  /** Base64 HMAC-SHA256 of {@code data} under {@code secret}, both as UTF-8. */
  public static String hmacSha256Base64(String secret, String data) {
    return Base64.getEncoder().encodeToString(hmacSha256(utf8(secret), utf8(data)));
  }

  public static byte[] sha256(byte[] data) {
    return digest("SHA-256", data);
  }

  /** Lower-case hex MD5, as Pusher's {@code body_md5}. */
  public static String md5Hex(byte[] data) {
    return HEX.formatHex(digest("MD5", data));
  }

  /** Compares two strings in time that does not depend on where they differ. */
  public static boolean constantTimeEquals(String expected, String actual) {
    if (expected == null || actual == null) {
      return false;
    }
    return MessageDigest.isEqual(utf8(expected), utf8(actual));
  }

  private static byte[] digest(String algorithm, byte[] data) {
    try {
      return MessageDigest.getInstance(algorithm).digest(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(algorithm + " is missing from this JVM", e);
    }
  }

  private static byte[] utf8(String value) {
    return value.getBytes(StandardCharsets.UTF_8);
  }
}
