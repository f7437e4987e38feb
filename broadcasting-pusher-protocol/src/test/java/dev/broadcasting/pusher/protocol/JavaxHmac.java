package dev.broadcasting.pusher.protocol;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.security.MessageDigest;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** The digests recomputed in tests straight from javax.crypto, independently of the code under test. */
public final class JavaxHmac {
  private JavaxHmac() {}

  public static String hex(String secret, String data) {
    return hex(secret, data.getBytes(UTF_8));
  }

  public static String hex(String secret, byte[] data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(UTF_8), "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(data));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  public static String md5(byte[] data) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(data));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
