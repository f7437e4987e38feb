package dev.broadcasting.pusher.protocol;

import java.util.Base64;

/**
 * The check of an app's encryption master key for {@code private-encrypted-} channels: exactly 32
 * bytes, as Pusher's SDKs require. Messages never show the key.
 *
 * <pre>{@code
 * byte[] key = EncryptionMasterKey.fromBase64(System.getenv("PUSHER_ENCRYPTION_MASTER_KEY_BASE64"));
 * }</pre>
 */
public final class EncryptionMasterKey {
  /** The length of a master key in bytes. */
  public static final int LENGTH = 32;

  private EncryptionMasterKey() {}

  /**
   * Returns {@code key} when it is 32 bytes long.
   *
   * @throws IllegalArgumentException naming the length and how to make a key, otherwise
   */
  public static byte[] check(byte[] key) {
    if (key.length != LENGTH) {
      throw new IllegalArgumentException("Encryption master key must be " + LENGTH + " bytes but has "
          + key.length + "; generate one with: openssl rand -base64 32");
    }
    return key;
  }

  /**
   * Decodes a base64 master key ({@code PUSHER_ENCRYPTION_MASTER_KEY_BASE64}) and checks it.
   *
   * @throws IllegalArgumentException when it is not base64 or not 32 bytes
   */
  public static byte[] fromBase64(String base64) {
    byte[] key;
    try {
      key = Base64.getDecoder().decode(base64.trim());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("Encryption master key is not valid base64; generate one with: "
          + "openssl rand -base64 32");
    }
    return check(key);
  }
}
