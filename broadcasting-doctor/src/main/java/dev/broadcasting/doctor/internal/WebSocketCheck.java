package dev.broadcasting.doctor.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.broadcasting.doctor.Check;
import dev.broadcasting.doctor.Finding;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpTimeoutException;
import java.net.http.WebSocketHandshakeException;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import javax.net.ssl.SSLException;

/**
 * Opens the WebSocket the page opens ({@code /app/{key}} on the page's host, port and scheme) and
 * reads the server's first message: {@code pusher:connection_established} for a good key, error
 * 4001 for a key the server does not know. When the handshake fails, it tries the other scheme to
 * tell a TLS mismatch (ws vs wss) from a server that is not there.
 */
public final class WebSocketCheck implements Check {
  private final FrontEnd page;
  private final HttpClient http;
  private final Duration timeout;

  public WebSocketCheck(FrontEnd page, HttpClient http, Duration timeout) {
    this.page = page;
    this.http = http;
    this.timeout = timeout;
  }

  @Override
  public Finding run() {
    URI url = page.pusherUrl(page.tls());
    String name = "websocket " + url.getScheme() + "://" + url.getRawAuthority() + "/app/" + page.key();
    Endpoint endpoint = Endpoint.of("WebSocket server", url, page.webSocketSetting());
    try (PusherSocket socket = PusherSocket.open(http, url, timeout)) {
      return firstMessage(name, socket.await(m -> true, timeout), endpoint);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Finding.fail(name, "interrupted", "run the doctor again");
    } catch (Exception e) {
      Throwable cause = Failures.unwrap(e);
      if (cause instanceof WebSocketHandshakeException) {
        return Finding.fail(name, Failures.describe(cause, endpoint, timeout.toMillis()) + ": something other than "
            + "a Pusher-protocol server answers there", "point " + page.webSocketSetting()
            + " at the WebSocket server (or proxy its /app/ path with the Upgrade headers)");
      }
      if (mayBeTlsMismatch(cause) && otherSchemeAnswers()) {
        return tlsMismatch(name, endpoint);
      }
      return Finding.fail(name, Failures.describe(e, endpoint, timeout.toMillis()), Failures.fix(e, endpoint));
    }
  }

  private Finding firstMessage(String name, JsonNode message, Endpoint endpoint) {
    if (message == null) {
      return Finding.fail(name, "connected, but no pusher:connection_established within " + timeout.toMillis()
          + " ms", "point " + page.webSocketSetting() + " at a Pusher-protocol server (Reverb, soketi, "
          + "broadcasting-server), not another WebSocket service");
    }
    String event = message.path("event").asText();
    if (event.equals("pusher:connection_established")) {
      return Finding.ok(name, "pusher:connection_established, socket_id "
          + PusherSocket.data(message).path("socket_id").asText());
    }
    JsonNode data = event.equals("doctor:closed") ? message : PusherSocket.data(message);
    int code = data.path("code").asInt(0);
    String said = event + " " + code + " \"" + data.path(data.has("reason") ? "reason" : "message").asText() + "\"";
    if (code == 4001) {
      return Finding.fail(name, said, "the server at " + endpoint.address() + " has no app with key \"" + page.key()
          + "\": set VITE_PUSHER_APP_KEY (Echo's key) to the PUSHER_APP_KEY of the app it serves");
    }
    return Finding.fail(name, said, "see the Pusher protocol's error codes: 4000-4099 mean the connection "
        + "must not be retried as it is configured");
  }

  /** A refused, unresolved or timed-out connection is not about TLS; a failed handshake or a dropped reply may be. */
  private static boolean mayBeTlsMismatch(Throwable cause) {
    return cause instanceof SSLException || !(cause instanceof SocketException
        || cause instanceof UnresolvedAddressException || cause instanceof HttpTimeoutException
        || cause instanceof SocketTimeoutException);
  }

  /** Whether the same host and port answer the other scheme: a TLS mismatch rather than a dead port. */
  private boolean otherSchemeAnswers() {
    try (PusherSocket ignored = PusherSocket.open(http, page.pusherUrl(!page.tls()), timeout)) {
      return true;
    } catch (Exception e) {
      // an untrusted certificate still proves that TLS is spoken there
      return !page.tls() && Failures.unwrap(e) instanceof SSLException;
    }
  }

  private Finding tlsMismatch(String name, Endpoint endpoint) {
    if (page.tls()) {
      return Finding.fail(name, "the page uses wss:// but " + endpoint.address() + " speaks plain ws://",
          "set VITE_PUSHER_SCHEME=http (Echo forceTLS: false), or terminate TLS in front of the server");
    }
    return Finding.fail(name, "the page uses ws:// but " + endpoint.address() + " speaks TLS (wss://)",
        "set VITE_PUSHER_SCHEME=https (Echo forceTLS: true)");
  }
}
