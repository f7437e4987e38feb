package dev.broadcasting.doctor.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpClient;
import java.time.Duration;

/** Listens for the probe as the page would: a Pusher-protocol subscription on the page's WebSocket URL. */
public final class WebSocketProbe implements ProbeSubscription {
  private final FrontEnd page;
  private final HttpClient http;
  private PusherSocket socket;
  private String channel;

  public WebSocketProbe(FrontEnd page, HttpClient http) {
    this.page = page;
    this.http = http;
  }

  @Override
  public String describe() {
    return "the page's WebSocket " + page.webSocket();
  }

  @Override
  public Endpoint endpoint() {
    return Endpoint.of("WebSocket server", page.webSocket(), page.webSocketSetting());
  }

  @Override
  public void subscribe(String channel, Duration timeout) throws Exception {
    this.channel = channel;
    socket = PusherSocket.open(http, page.pusherUrl(page.tls()), timeout);
    JsonNode first = socket.await(m -> true, timeout);
    String event = first == null ? "nothing" : first.path("event").asText();
    if (!event.equals("pusher:connection_established")) {
      JsonNode data = first == null ? first : PusherSocket.data(first);
      throw new IllegalStateException("the server answered " + event
          + (data == null ? "" : " " + data.path("code").asText() + " \"" + data.path("message").asText() + "\""));
    }
    if (!socket.subscribe(channel, timeout)) {
      throw new IllegalStateException("the server did not confirm the subscription to " + channel);
    }
  }

  @Override
  public boolean received(String nonce, Duration timeout) throws Exception {
    return socket.await(m -> channel.equals(m.path("channel").asText())
        && EventFlowCheck.PROBE_EVENT.equals(m.path("event").asText())
        && nonce.equals(PusherSocket.data(m).path("nonce").asText()), timeout) != null;
  }

  @Override
  public void close() {
    if (socket != null) {
      socket.close();
    }
  }
}
