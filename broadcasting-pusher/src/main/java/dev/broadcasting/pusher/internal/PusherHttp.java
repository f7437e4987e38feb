package dev.broadcasting.pusher.internal;

import dev.broadcasting.BroadcastException;
import dev.broadcasting.pusher.protocol.PusherSigner;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Sends signed requests to one Pusher app's HTTP API over a {@link PusherTransport} and turns the
 * answer into a future: the body on 2xx, else a {@link BroadcastException} that says whether a
 * retry may help.
 */
public final class PusherHttp {
  private static final int MAX_ERROR_BODY = 512;
  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private final PusherTransport transport;
  private final PusherEndpoint endpoint;
  private final String appId;
  private final PusherSigner signer;

  public PusherHttp(PusherTransport transport, PusherEndpoint endpoint, String appId, PusherSigner signer) {
    this.transport = transport;
    this.endpoint = endpoint;
    this.appId = appId;
    this.signer = signer;
  }

  /** {@code /apps/<id>} followed by {@code suffix}, e.g. {@code /events}. */
  public String appPath(String suffix) {
    return "/apps/" + appId + suffix;
  }

  public CompletableFuture<String> post(String path, byte[] body) {
    return send("POST", path, Map.of(), body);
  }

  public CompletableFuture<String> get(String path, Map<String, String> query) {
    return send("GET", path, query, null);
  }

  /** The path and the signed, escaped query, timestamped now: what {@link #post} and {@link #get} send. */
  public String target(String method, String path, Map<String, String> query, byte[] body) {
    StringBuilder target = new StringBuilder(path.length() + 192).append(path);
    char separator = '?';
    for (Map.Entry<String, String> parameter : signer.signRequest(method, path, query, body,
        System.currentTimeMillis() / 1000).entrySet()) {
      target.append(separator);
      escape(parameter.getKey(), target);
      escape(parameter.getValue(), target.append('='));
      separator = '&';
    }
    return target.toString();
  }

  private CompletableFuture<String> send(String method, String path, Map<String, String> query, byte[] body) {
    CompletableFuture<PusherTransport.Answer> sent = transport.send(method, target(method, path, query, body), body);
    CompletableFuture<String> result = new CompletableFuture<>();
    // Core cancels this very future on its attempt timeout and on close: the transport stops the request.
    result.whenComplete((ok, error) -> {
      if (error != null) {
        sent.cancel(false);
      }
    });
    sent.whenComplete((answer, error) -> {
      if (error != null) {
        result.completeExceptionally(error instanceof BroadcastException ? error : BroadcastException.retryable(
            "Pusher request " + method + " " + path + " to " + endpoint + " failed: " + error, error));
      } else if (answer.status() / 100 == 2) {
        result.complete(answer.body());
      } else {
        result.completeExceptionally(failure(method, path, answer.status(), answer.body()));
      }
    });
    return result;
  }

  /** 4xx means the request itself is wrong and will stay wrong, except 429 (slow down and retry). */
  static BroadcastException failure(String method, String path, int status, String body) {
    boolean retryable = status >= 500 || status == 429 || status == 408;
    String shown = body.length() > MAX_ERROR_BODY ? body.substring(0, MAX_ERROR_BODY) + "..." : body;
    return new BroadcastException("Pusher answered " + status + " to " + method + " " + path + ": "
        + shown.strip() + (status == 401 || status == 403 ? " (check PUSHER_APP_ID, PUSHER_APP_KEY and "
            + "PUSHER_APP_SECRET, and that the server clock is right)" : ""), null, retryable, status);
  }

  /** Percent-encodes all but RFC 3986's unreserved characters, as UTF-8: the signed values are mostly hex and digits. */
  static void escape(String text, StringBuilder out) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.'
          || c == '_' || c == '~') {
        out.append(c);
      } else {
        int end = Character.isHighSurrogate(c) && i + 1 < text.length() ? i + 2 : i + 1;
        for (byte b : text.substring(i, end).getBytes(StandardCharsets.UTF_8)) {
          out.append('%').append(HEX[(b >> 4) & 0xF]).append(HEX[b & 0xF]);
        }
        i = end - 1;
      }
    }
  }

  public PusherEndpoint endpoint() {
    return endpoint;
  }

  public PusherTransport transport() {
    return transport;
  }
}
