package dev.broadcasting.pusher.internal;

import com.goterl.lazysodium.LazySodiumJava;
import com.goterl.lazysodium.SodiumJava;
import com.goterl.lazysodium.interfaces.SecretBox;
import dev.broadcasting.BroadcastException;
import dev.broadcasting.pusher.protocol.PusherSigner;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Encrypts event data for {@code private-encrypted-} channels as pusher-js decrypts it: NaCl
 * secretbox (XSalsa20-Poly1305) under the channel's shared secret, with a fresh random 24-byte
 * nonce per event, sent as {@code {"nonce":"<base64>","ciphertext":"<base64>"}}.
 *
 * <p>The cipher is libsodium's, through lazysodium. It is loaded when the first driver with a
 * master key is built, so an application without encrypted channels never loads native code, and
 * needs neither lazysodium nor JNA on its class path: they are optional dependencies of this module.
 */
public final class ChannelEncrypter {
  private static final SecureRandom RANDOM = new SecureRandom();

  private final byte[] masterKey;

  /** The artifacts an application adds to encrypt; named in the error when they are missing. */
  static final String ARTIFACTS = "com.goterl:lazysodium-java:5.1.4 and net.java.dev.jna:jna:5.17.0";

  public ChannelEncrypter(byte[] masterKey) {
    this.masterKey = masterKey.clone();
    requireLazySodium(ChannelEncrypter.class.getClassLoader());
    Sodium.get();
  }

  /** Fails naming the dependencies to add when lazysodium or JNA is not on the class path. */
  static void requireLazySodium(ClassLoader loader) {
    for (String type : new String[] {"com.goterl.lazysodium.LazySodiumJava", "com.sun.jna.Native"}) {
      try {
        Class.forName(type, false, loader);
      } catch (ClassNotFoundException e) {
        throw new BroadcastException("An encryption master key is set, but " + type + " is not on the class "
            + "path: private-encrypted- channels need the optional dependencies " + ARTIFACTS
            + "; add them to your build, or remove PUSHER_ENCRYPTION_MASTER_KEY_BASE64");
      }
    }
  }

  /** The data field of an event on {@code channelName}: the JSON text of nonce and ciphertext. */
  public String encrypt(String channelName, String payload) {
    byte[] key = PusherSigner.sharedSecretBytes(channelName, masterKey);
    byte[] nonce = new byte[SecretBox.NONCEBYTES];
    RANDOM.nextBytes(nonce);
    byte[] plain = payload.getBytes(StandardCharsets.UTF_8);
    byte[] cipher = new byte[plain.length + SecretBox.MACBYTES];
    if (!Sodium.get().cryptoSecretBoxEasy(cipher, plain, plain.length, nonce, key)) {
      throw new BroadcastException("libsodium failed to encrypt the event for " + channelName);
    }
    Base64.Encoder base64 = Base64.getEncoder();
    // Base64 needs no JSON escaping, so the object is written directly.
    return "{\"nonce\":\"" + base64.encodeToString(nonce) + "\",\"ciphertext\":\""
        + base64.encodeToString(cipher) + "\"}";
  }

  /** Loads libsodium once per JVM, preferring the system's copy and else the one bundled in the jar. */
  private static final class Sodium {
    private static volatile LazySodiumJava instance;

    static LazySodiumJava get() {
      LazySodiumJava sodium = instance;
      if (sodium == null) {
        synchronized (Sodium.class) {
          sodium = instance;
          if (sodium == null) {
            try {
              sodium = new LazySodiumJava(new SodiumJava());
            } catch (RuntimeException | LinkageError e) {
              throw new BroadcastException("Cannot load libsodium for encrypted channels on "
                  + System.getProperty("os.name") + "/" + System.getProperty("os.arch")
                  + ": install libsodium (Debian: apt-get install libsodium23) or remove the encryption master key", e);
            }
            instance = sodium;
          }
        }
      }
      return sodium;
    }
  }

  @Override
  public String toString() {
    return "ChannelEncrypter{secretbox}";
  }
}
