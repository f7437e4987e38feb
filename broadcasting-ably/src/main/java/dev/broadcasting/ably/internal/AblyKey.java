package dev.broadcasting.ably.internal;

import dev.broadcasting.BroadcastException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * An Ably API key split into its public name ({@code appId.keyId}) and its secret. The secret never
 * appears in {@link #toString()} or in any message this class builds.
 */
public final class AblyKey {
  private final String name;
  private final String secret;

  private AblyKey(String name, String secret) {
    this.name = name;
    this.secret = secret;
  }

  /**
   * Parses {@code appId.keyId:keySecret}; {@code setting} names where the key came from, for the
   * error message.
   */
  public static AblyKey parse(String key, String setting) {
    if (key == null || key.isBlank()) {
      throw new BroadcastException(setting + " is missing: set it to the API key from the Ably dashboard, "
          + "which looks like appId.keyId:keySecret");
    }
    String trimmed = key.trim();
    int colon = trimmed.indexOf(':');
    if (colon < 0) {
      throw new BroadcastException(setting + " must look like appId.keyId:keySecret, but it has no ':'; "
          + "copy the whole key from the Ably dashboard, not only its name");
    }
    String name = trimmed.substring(0, colon);
    String secret = trimmed.substring(colon + 1);
    int dot = name.indexOf('.');
    if (dot <= 0 || dot == name.length() - 1) {
      throw new BroadcastException(setting + " must look like appId.keyId:keySecret, but its name \"" + name
          + "\" is not appId.keyId");
    }
    if (secret.isEmpty()) {
      throw new BroadcastException(setting + " must look like appId.keyId:keySecret, but the secret after ':' is empty");
    }
    return new AblyKey(name, secret);
  }

  /** The key name, {@code appId.keyId}: public, used as the JWT {@code kid} and in Laravel-style auth. */
  public String name() {
    return name;
  }

  public String appId() {
    return name.substring(0, name.indexOf('.'));
  }

  public String secret() {
    return secret;
  }

  /** The {@code Authorization} header value for Basic auth: base64 of the whole key (RSA11). */
  public String basicAuthorization() {
    return "Basic " + Base64.getEncoder().encodeToString((name + ':' + secret).getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public String toString() {
    return name + ":<secret>";
  }
}
