package dev.broadcasting.spi;

import java.util.regex.Pattern;

/**
 * The socket-id rule of the Pusher protocol, as the official server SDKs check it
 * ({@code ^\d+\.\d+$}), bounded in total length. Core's {@code ChannelAuthorizer}, the pusher
 * driver and the embedded server all check socket ids here.
 *
 * <pre>{@code
 * SocketIds.error("123456789012345678901.1"); // null: valid
 * SocketIds.error("1234");                    // "socket_id is malformed; expected digits.digits ..."
 * }</pre>
 */
public final class SocketIds {
  /** The longest socket id accepted; real ones are about 20 characters. */
  public static final int MAX_LENGTH = 64;

  private static final Pattern RULE = Pattern.compile("\\d+\\.\\d+");

  private SocketIds() {}

  /** True for {@code digits.digits} of at most {@link #MAX_LENGTH} characters. */
  public static boolean isValid(String socketId) {
    return socketId != null && socketId.length() <= MAX_LENGTH && RULE.matcher(socketId).matches();
  }

  /** Why {@code socketId} is refused, or null when it is valid. The message never echoes a long value. */
  public static String error(String socketId) {
    if (socketId == null || socketId.isEmpty()) {
      return "socket_id is missing";
    }
    if (socketId.length() > MAX_LENGTH) {
      return "socket_id is longer than " + MAX_LENGTH + " characters; expected digits.digits such as 1234.5678";
    }
    if (!RULE.matcher(socketId).matches()) {
      return "socket_id is malformed; expected digits.digits such as 1234.5678";
    }
    return null;
  }
}
