package dev.broadcasting.pusher.internal;

import dev.broadcasting.BroadcastException;
import dev.broadcasting.pusher.protocol.PusherSigner;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;

/**
 * Sends signed requests to one Pusher app's HTTP API over a {@link PusherTransport} and turns the
 * answer into a future: the body on 2xx, else a {@link BroadcastException} that says whether a
 * retry may help.
 */
public final class PusherHttp {
  private static final int MAX_ERROR_BODY = 512;
  private static final char[] HEX = "0123456789ABCDEF".toCharArray();
  /** A request signed ahead is signed again when this old at its send: its auth_timestamp stays fresh. */
  static final long SIGNED_AHEAD_MILLIS = 1_000;

  private final PusherTransport transport;
  private final PusherEndpoint endpoint;
  private final String appId;
  private final PusherSigner signer;

  /** The wall clock, in milliseconds: auth_timestamp, and the age of a request signed ahead. */
  private final LongSupplier clock;

  public PusherHttp(PusherTransport transport, PusherEndpoint endpoint, String appId, PusherSigner signer) {
    this(transport, endpoint, appId, signer, System::currentTimeMillis);
  }

  /** With {@code clock} (milliseconds) for the timestamps and ages of signatures (tests pass their own). */
  PusherHttp(PusherTransport transport, PusherEndpoint endpoint, String appId, PusherSigner signer,
      LongSupplier clock) {
    this.clock = clock;
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
        clock.getAsLong() / 1000).entrySet()) {
      target.append(separator);
      escape(parameter.getKey(), target);
      escape(parameter.getValue(), target.append('='));
      separator = '&';
    }
    return target.toString();
  }

  /**
   * A POST of {@code body} to {@code path}, signed now and sent later by {@link #send(Signed)}.
   * {@code Signed ahead = http.signAhead("/apps/1/batch_events", body); ... http.send(ahead);}
   */
  public Signed signAhead(String path, byte[] body) {
    long now = clock.getAsLong();
    return new Signed(path, body, target("POST", path, Map.of(), body), now);
  }

  /**
   * Sends a request signed ahead, signed again first if it was signed {@link #SIGNED_AHEAD_MILLIS}
   * or more ago (or the clock went back since).
   */
  public CompletableFuture<String> send(Signed request) {
    long age = clock.getAsLong() - request.signedAt;
    String target = age >= 0 && age < SIGNED_AHEAD_MILLIS
        ? request.target : target("POST", request.path, Map.of(), request.body);
    return send("POST", request.path, target, request.body);
  }

  /** A POST whose body is built and whose query is signed, not sent yet. */
  public static final class Signed {
    private final String path;
    private final byte[] body;
    private final String target;
    private final long signedAt;

    private Signed(String path, byte[] body, String target, long signedAt) {
      this.path = path;
      this.body = body;
      this.target = target;
      this.signedAt = signedAt;
    }
  }

  private CompletableFuture<String> send(String method, String path, Map<String, String> query, byte[] body) {
    return send(method, path, target(method, path, query, body), body);
  }

  private CompletableFuture<String> send(String method, String path, String target, byte[] body) {
    CompletableFuture<PusherTransport.Answer> sent = transport.send(method, target, body);
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
