package dev.broadcasting.pusher.protocol;

import dev.broadcasting.internal.Signatures;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Signs and verifies everything the Pusher Channels protocol signs with an app's key and secret:
 * channel and user authentication strings, HTTP API requests, and webhooks. It is shared by the
 * {@code pusher} driver, which signs, and by servers that speak the protocol, which verify.
 *
 * <pre>{@code
 * PusherSigner signer = new PusherSigner("278d425bdf160c739803", "7ad3773142a6692b25b8");
 * String auth = signer.channelAuth("1234.1234", "private-foobar", null);
 * SortedMap<String, String> query =
 *     signer.signRequest("POST", "/apps/3/events", Map.of(), body, Instant.now().getEpochSecond());
 * }</pre>
 *
 * <p>Instances are immutable and thread-safe. {@link #toString()} shows the key, never the secret.
 */
public final class PusherSigner {
  /** The version of the request signing scheme, sent as {@code auth_version}. */
  public static final String AUTH_VERSION = "1.0";

  private static final Set<String> SIGNED_BY_US =
      Set.of("auth_key", "auth_timestamp", "auth_version", "body_md5", "auth_signature");

  private final String key;
  private final String secret;

  /**
   * @throws IllegalArgumentException when the key or the secret is null or blank
   */
  public PusherSigner(String key, String secret) {
    if (key == null || key.isBlank()) {
      throw new IllegalArgumentException("Pusher app key is blank: pass the app key (PUSHER_APP_KEY)");
    }
    if (secret == null || secret.isBlank()) {
      throw new IllegalArgumentException("Pusher app secret is blank: pass the app secret (PUSHER_APP_SECRET)");
    }
    this.key = key;
    this.secret = secret;
  }

  /** The app key, which clients and requests identify the app by. */
  public String key() {
    return key;
  }

  /**
   * The {@code auth} value that lets {@code socketId} subscribe to a private, encrypted or
   * presence channel: {@code <key>:<hex hmac-sha256(socket_id:channel_name[:channel_data])>}.
   *
   * @param channelData the presence member JSON exactly as it will be sent to the client, or null
   */
  public String channelAuth(String socketId, String channelName, String channelData) {
    return Signatures.channelAuth(key, secret, socketId, channelName, channelData);
  }

  /**
   * The {@code auth} value of a user sign-in ({@code pusher:signin}):
   * {@code <key>:<hex hmac-sha256(socket_id::user::user_data)>}.
   */
  public String userAuth(String socketId, String userData) {
    Objects.requireNonNull(socketId, "socketId");
    Objects.requireNonNull(userData, "userData");
    return key + ':' + Signatures.hmacSha256Hex(secret, socketId + "::user::" + userData);
  }

  /**
   * Every query parameter of a signed HTTP API request: {@code query}, with keys lower-cased, plus
   * {@code auth_key}, {@code auth_timestamp}, {@code auth_version}, {@code body_md5} (when the body
   * is not empty) and {@code auth_signature}. Values are not URL-escaped here; escape them when
   * building the URL.
   *
   * @param query the request's own parameters (e.g. {@code filter_by_prefix}), not the auth ones
   * @param body the exact bytes that will be sent, or null or empty for none
   * @throws IllegalArgumentException when {@code query} already holds one of the auth parameters
   */
  public SortedMap<String, String> signRequest(String method, String path, Map<String, String> query,
      byte[] body, long timestampSeconds) {
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(path, "path");
    SortedMap<String, String> params = lowerCased(query == null ? Map.of() : query);
    for (String reserved : SIGNED_BY_US) {
      if (params.containsKey(reserved)) {
        throw new IllegalArgumentException("Query parameter " + reserved
            + " is set by the signer; leave it out of the query passed to signRequest");
      }
    }
    params.put("auth_key", key);
    params.put("auth_timestamp", Long.toString(timestampSeconds));
    params.put("auth_version", AUTH_VERSION);
    if (body != null && body.length > 0) {
      params.put("body_md5", Signatures.md5Hex(body));
    }
    params.put("auth_signature", requestSignature(method, path, params));
    return params;
  }

  /**
   * Whether a received HTTP API request was signed with this app's key and secret: the
   * {@code auth_key} is this key, {@code body_md5} matches the body, and {@code auth_signature}
   * matches, compared in constant time. The timestamp is required but its age is NOT checked:
   * the caller decides the window (Pusher allows 600 seconds).
   *
   * @param query the query parameters as received, URL-decoded, including {@code auth_signature}
   * @param body the request body as received, or null or empty for none
   */
  public boolean verifyRequest(String method, String path, Map<String, String> query, byte[] body) {
    if (method == null || path == null || query == null) {
      return false;
    }
    SortedMap<String, String> params;
    try {
      params = lowerCased(query);
    } catch (IllegalArgumentException e) {
      return false;
    }
    String signature = params.get("auth_signature");
    if (signature == null || params.get("auth_timestamp") == null
        || !Signatures.constantTimeEquals(key, params.get("auth_key"))) {
      return false;
    }
    boolean hasBody = body != null && body.length > 0;
    String bodyMd5 = params.get("body_md5");
    if (hasBody || bodyMd5 != null) {
      byte[] bytes = hasBody ? body : new byte[0];
      if (!Signatures.constantTimeEquals(Signatures.md5Hex(bytes), bodyMd5)) {
        return false;
      }
    }
    return Signatures.constantTimeEquals(requestSignature(method, path, params), signature);
  }

  /** The {@code X-Pusher-Signature} of a webhook: hex HMAC-SHA256 of the raw body. */
  public String webhookSignature(byte[] body) {
    Objects.requireNonNull(body, "body");
    return HexFormat.of().formatHex(
        Signatures.hmacSha256(secret.getBytes(StandardCharsets.UTF_8), body));
  }

  /**
   * The {@code shared_secret} of an encrypted channel: base64 of SHA-256 over the channel name's
   * UTF-8 bytes followed by the master key. Clients decrypt the channel's events with it.
   *
   * @param masterKey the app's 32-byte encryption master key
   * @throws IllegalArgumentException when the master key is not 32 bytes long
   */
  public static String sharedSecret(String channelName, byte[] masterKey) {
    return Base64.getEncoder().encodeToString(sharedSecretBytes(channelName, masterKey));
  }

  /** The raw 32 bytes behind {@link #sharedSecret}: the secretbox key of the channel. */
  public static byte[] sharedSecretBytes(String channelName, byte[] masterKey) {
    Objects.requireNonNull(channelName, "channelName");
    EncryptionMasterKey.check(Objects.requireNonNull(masterKey, "masterKey"));
    byte[] name = channelName.getBytes(StandardCharsets.UTF_8);
    byte[] input = new byte[name.length + masterKey.length];
    System.arraycopy(name, 0, input, 0, name.length);
    System.arraycopy(masterKey, 0, input, name.length, masterKey.length);
    return Signatures.sha256(input);
  }

  private String requestSignature(String method, String path, SortedMap<String, String> params) {
    StringBuilder toSign = new StringBuilder(128)
        .append(method.toUpperCase(Locale.ROOT)).append('\n').append(path).append('\n');
    boolean first = true;
    for (Map.Entry<String, String> param : params.entrySet()) {
      if (param.getKey().equals("auth_signature")) {
        continue;
      }
      if (!first) {
        toSign.append('&');
      }
      toSign.append(param.getKey()).append('=').append(param.getValue());
      first = false;
    }
    return Signatures.hmacSha256Hex(secret, toSign.toString());
  }

  private static SortedMap<String, String> lowerCased(Map<String, String> query) {
    SortedMap<String, String> params = new TreeMap<>();
    query.forEach((name, value) -> {
      if (name == null || value == null) {
        throw new IllegalArgumentException("Query parameter " + name + " has no value");
      }
      params.put(name.toLowerCase(Locale.ROOT), value);
    });
    return params;
  }

  @Override
  public String toString() {
    return "PusherSigner{key=" + key + "}";
  }
}
