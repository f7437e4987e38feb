package dev.broadcasting.spi;

/**
 * Turns an authorization decision into the JSON body a client expects, in the protocol of a
 * driver: Pusher signs with HMAC-SHA256, laravel-echo-server wants {@code true}, and so on. Core
 * has already validated the socket id ({@link SocketIds}) and the channel name ({@link ChannelNames}
 * and {@link #channelNameError}), and has decided to allow. A signer never throws for a request:
 * what it cannot sign it says in {@link #refusal}.
 */
public interface ChannelAuthSigner {

  /** Answers as laravel-echo-server reads them: {@code true}, or {@code {"channel_data":{...}}}. */
  ChannelAuthSigner PLAIN = new ChannelAuthSigner() {
    @Override
    public String signPrivate(String socketId, String channelName) {
      return "true";
    }

    @Override
    public String signPresence(String socketId, String channelName, String channelData) {
      return "{\"channel_data\":" + channelData + "}";
    }

    @Override
    public boolean requiresSocketId() {
      return false;
    }

    @Override
    public String toString() {
      return "ChannelAuthSigner.PLAIN";
    }
  };

  /**
   * Whether answers sign the socket id, so that it must be present and well formed. False for
   * laravel-echo-server, which sends none.
   */
  default boolean requiresSocketId() {
    return true;
  }

  /**
   * Why this connection's protocol refuses {@code channelName}, beyond the base rule every driver
   * shares ({@link ChannelNames#error}), or null to accept it. Pusher's protocol, for instance,
   * allows only {@code [-a-zA-Z0-9_=@,.;]}. Core answers such a request 400 with this reason, so it
   * is a predicate in plain ASCII without quotes, such as {@code "has characters outside ..."}.
   */
  default String channelNameError(String channelName) {
    return null;
  }

  /**
   * Why this connection cannot sign for {@code channelName}, whose name is valid, or null when it
   * can: a configuration the application must fix, such as an encrypted channel on a connection
   * without a master key. Core answers 403, logs the reason at debug level and warns, rate-limited.
   */
  default String refusal(String channelName) {
    return null;
  }

  /** The body allowing {@code socketId} on a private or encrypted private channel. */
  String signPrivate(String socketId, String channelName);

  /**
   * The body allowing {@code socketId} on a presence channel.
   *
   * @param channelData the member as JSON, {@code {"user_id":..,"user_info":..}}: sign these exact
   *     characters, since the client and server compare them byte for byte
   */
  String signPresence(String socketId, String channelName, String channelData);

  /**
   * The body for a Pusher user sign-in ({@code pusher:signin}). Drivers whose protocol has no
   * user sign-in keep the default, which refuses.
   */
  default String signUser(String socketId, String userData) {
    throw new UnsupportedOperationException("this connection's protocol has no user sign-in");
  }
}
